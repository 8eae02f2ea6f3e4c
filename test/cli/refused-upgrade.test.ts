// `list` against a gateway whose rate of new connections is used up: the upgrade gets 503 +
// Retry-After, and the CLI says the wait the gateway asked for (TransportError.retryAfterMs).
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../src/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli } from "../support/cli.js";

describe("CLI: an upgrade refused with Retry-After", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  it("list names the wait the gateway's 503 asks for", async () => {
    // One token, the next in 100 s: Retry-After: 100 (less the seconds the CLI took to start).
    const gw = await createGateway({ port: 0, limits: { connectionRate: { perSecond: 0.01, burst: 1 } } });
    gateways.push(gw);
    const first = createPresenceClient({ url: gw.url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" } });
    clients.push(first);
    await first.connect();
    const run = cli(["list", "--url", gw.url]);
    expect(await run.exit).toBe(1);
    // 100 s less the time this machine took to start the CLI (whole seconds, rounded up).
    const said = `gateway-presence list: cannot reach the gateway at ${gw.url}: Unexpected server response: 503 (the gateway refuses new connections for now: it asks to retry in `;
    expect(run.stderr().startsWith(said)).toBe(true);
    expect(run.stderr().slice(said.length)).toMatch(/^1m (40|[1-3]\d)s\)\n$/);
    expect(gw.metrics().connectionRateRefusals).toBe(1);
  });
});
