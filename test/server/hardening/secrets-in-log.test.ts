// The gateway reads the token from `connect` only. A client that also puts it in the URL's query, in
// an Authorization or Cookie header, in a wrong field, or sends a wrong one, finds it in no log line
// and no answer it does not already own (docs/security.md). Both bindings, real sockets.
import { describe, expect, it } from "vitest";
import { connectParams } from "../../../scripts/hardening/raw-client.js";
import { BINDINGS, closedAfterEach, requestFrame, Wire } from "./wire.js";

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
