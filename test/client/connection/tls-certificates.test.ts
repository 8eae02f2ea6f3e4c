// A wss:// gateway whose TLS certificate is not trusted, expired or for another host name: the SDK
// keeps retrying (a long-running app may see the certificate renewed), and tells the app each
// attempt: every `reconnecting` state carries the error, which certificateProblem() names
// (docs/client.md "TLS certificates"). The CLI's watch stops instead (test/cli/tls.test.ts).
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { certificateProblem, createPresenceClient, TransportError, type PresenceClient, type StateChange } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { startTlsRelay, TLS_CERT, type TlsRelay } from "../../support/tls-relay.js";
import { scaled } from "../../support/timing.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

/** ws that trusts the test certificate (as NODE_EXTRA_CA_CERTS would for a whole process). */
class TrustingWebSocket extends WebSocket {
  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    super(url, { ...options, ca: readFileSync(TLS_CERT) });
  }
}

describe("TLS certificate problems in the client SDK", () => {
  let gw: Gateway | undefined;
  let relay: TlsRelay | undefined;
  let client: PresenceClient | undefined;
  afterEach(async () => {
    await client?.close();
    await relay?.close();
    await gw?.close();
    client = relay = gw = undefined;
  });

  it("connect() without retry rejects at once with the problem named", async () => {
    gw = await createGateway({ port: 0 });
    relay = await startTlsRelay(gw.port);
    client = createPresenceClient({ url: relay.url, client: info });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe(`cannot open ${relay.url}: DEPTH_ZERO_SELF_SIGNED_CERT`);
    expect(certificateProblem(error)).toBe("untrusted");
  });

  it("an expired certificate is retried, each attempt's error surfaced, until the renewed one is served", async () => {
    gw = await createGateway({ port: 0 });
    relay = await startTlsRelay(gw.port, { expired: true });
    const states: StateChange[] = [];
    client = createPresenceClient({
      url: relay.url,
      client: info,
      WebSocket: TrustingWebSocket as never,
      reconnect: { initialDelayMs: 20, maxDelayMs: 40 },
    });
    client.on("state", (change) => states.push(change));
    const opened = client.connect({ retry: true });
    await expect.poll(() => states.filter((s) => s.state === "reconnecting").length, { timeout: scaled(10_000) }).toBeGreaterThanOrEqual(3);
    const retries = states.filter((s) => s.state === "reconnecting");
    for (const retry of retries) {
      expect(certificateProblem(retry.error)).toBe("expired");
      expect(retry.reason).toBe(`cannot open ${relay.url}: CERT_HAS_EXPIRED`);
    }
    expect(retries.map((r) => r.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    relay.serve({ expired: false });
    await opened;
    expect(client.state).toBe("open");
    expect(certificateProblem(new TransportError("closed", "cannot open ws://127.0.0.1:1: ECONNREFUSED"))).toBeUndefined();
  });
});
