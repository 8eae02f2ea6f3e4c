// The gateway reads the token from `connect` only. A client that also puts it in the URL's query, in
// an Authorization or Cookie header, in a wrong field, or sends a wrong one, finds it in no log line
// and no answer it does not already own (docs/security.md). Both bindings, real sockets.
import { describe, expect, it } from "vitest";
import { connectParams } from "../../../scripts/hardening/raw-client.js";
import { BINDINGS, closedAfterEach, requestFrame, upgradeResponse, urlOf, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();
const TOKEN = "gw-t0ken-never-logged";

describe.each(BINDINGS)("%s: the token in places the gateway does not read it", (binding) => {
  it("is in no log line, whatever the client did with it", async () => {
    const lines: string[] = [];
    const gw = await start({ token: TOKEN, logger: (l) => lines.push(l) });
    const protocol = binding === "openclaw" ? { minProtocol: 3, maxProtocol: 4 } : {};
    const headers = { authorization: `Bearer ${TOKEN}`, cookie: `token=${TOKEN}`, "x-gateway-token": TOKEN };
    const attempts: unknown[] = [
      { ...connectParams({ token: TOKEN }), ...protocol },
      { ...connectParams({ token: `${TOKEN}x` }), ...protocol },
      { ...connectParams({ token: TOKEN.slice(0, -1) }), ...protocol },
      { ...connectParams({ extra: { auth: { token: [TOKEN] } } }), ...protocol },
      { ...connectParams({ extra: { auth: { [TOKEN]: TOKEN } } }), ...protocol },
      { ...connectParams({ instanceId: "t", extra: { token: TOKEN, device: { id: TOKEN } } }), ...protocol },
    ];
    for (const [i, params] of attempts.entries()) {
      const wire = keep(await Wire.open(gw, binding, { headers }, `/?token=${TOKEN}&auth=${TOKEN}`));
      expect(await wire.answerTo(requestFrame(binding, i + 1, "connect", params))).toMatch(/hello-ok|UNAUTHORIZED|INVALID|unauthorized|invalid/);
      wire.ws.close();
      await wire.closed;
    }
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => l.includes(TOKEN) || l.includes(TOKEN.slice(0, 12)))).toEqual([]);
  });
});

describe.each(BINDINGS)("%s: the token in a refused Origin header", (binding) => {
  // The refusal's log line quotes the Origin: before, as it came, so a token in it reached the log.
  it("is replaced in the ORIGIN_NOT_ALLOWED line, the line still naming the origin", async () => {
    const lines: string[] = [];
    const gw = await start({ token: TOKEN, logger: (l) => lines.push(l) });
    const origins = [`http://admin:${TOKEN}@evil.example`, `http://evil.example/?token=${TOKEN}`, TOKEN, `http://${TOKEN}.example`, `${"x".repeat(190)}${TOKEN}`];
    for (const [i, origin] of origins.entries()) {
      const answer = await upgradeResponse(urlOf(gw, binding), `127.0.0.${10 + i}`, { headers: `Origin: ${origin}\r\n` });
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(answer).not.toContain(TOKEN);
    }
    const refused = lines.filter((l) => l.startsWith("reject origin="));
    expect(refused).toHaveLength(origins.length);
    expect(refused[0]).toContain('origin="http://<REDACTED>@evil.example');
    expect(refused[1]).toContain('origin="http://evil.example/?token=<REDACTED>"');
    expect(lines.filter((l) => l.includes(TOKEN) || l.includes(TOKEN.slice(0, 12)))).toEqual([]);
  });
});
