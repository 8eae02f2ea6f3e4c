// A gateway whose hello-ok leaves out what SPEC H4 asks beside the snapshot (features, policy,
// server), or sends them with other types: the client reads only the snapshot as required
// (checkHello) and everything else defensively, so it connects and keeps a whole-list mirror instead of
// failing for good with "Cannot read properties of undefined (reading 'caps')". Scripted gateway on loopback.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../../src/index.js";
import { helloFor, startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";

describe("a hello-ok with only the snapshot", () => {
  let gw: ScriptedGateway;
  let client: PresenceClient;
  afterEach(async () => {
    await client.close();
    await gw.close();
  });

  for (const [what, strip] of [
    ["no features, policy or server", (hello: Record<string, unknown>) => (delete hello.features, delete hello.policy, delete hello.server)],
    ["features null", (hello: Record<string, unknown>) => (hello.features = null)],
    ["features.caps and features.methods not lists", (hello: Record<string, unknown>) => (hello.features = { caps: { "presence.delta": true }, methods: "system-presence" })],
  ] as const) {
    it(`${what}: connects, whole-list mirror, calls answered`, async () => {
      gw = await startScriptedGateway();
      gw.handlers.connect = () => {
        const hello = helloFor(gw.list, gw.version) as unknown as Record<string, unknown>;
        strip(hello);
        return hello;
      };
      client = createPresenceClient({ url: gw.url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" } });
      const hello = await client.connect();
      expect(hello.type).toBe("hello-ok");
      expect(client.state).toBe("open");
      expect(client.presence.deltaMode).toBe(false);
      expect(client.presence.entries).toEqual(gw.list);
      const row = { instanceId: "desk-1", host: "desk", mode: "ui", reason: "periodic", ts: Date.now() };
      gw.push([...gw.list, row], gw.version + 1);
      await waitFor(() => client.presence.get("desk-1") !== undefined, "the pushed row");
      expect(await client.systemPresence()).toEqual(gw.list);
    });
  }
});
