// Rows beyond the contract: OpenClaw adds fields SPEC §3 does not name. PresenceEntry stays closed
// (§11 W2) and the client keeps rows as sent; presenceExtras(row) reads the extra fields, OpenClaw's
// typed. The rows below are real ones; the reference gateway's rows have none.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  createPresenceClient,
  presenceExtras,
  validate,
  type OpenClawPresenceUser,
  type PresenceEntry,
  type PresenceExtras,
} from "../../../src/index.js";
import { createGateway } from "../../../src/server/index.js";
import { startScriptedGateway, waitFor } from "../scripted-gateway.js";

// OpenClaw 2026.9.6, shared/recordings/openclaw-2026.9.6/a-webchat-with-instanceId.jsonl: connection
// webchat1's hello-ok snapshot (recv, id webchat1-1), the row of that webchat client itself.
const ROW_2026_9_6 = {
  clientId: "webchat-ui",
  mode: "webchat",
  user: { id: "gateway-owner", identity: { type: "profile", id: "gateway-owner" }, avatarUrl: "/api/users/gateway-owner/avatar?v=1795475384416" },
  onlineSince: 1795475567136,
  roles: ["operator"],
  scopes: ["operator.read"],
  ts: 1795475567147,
  text: "Node: unknown · mode webchat",
  host: "Peer WebChat",
  version: "1.2.3",
  platform: "linux",
  deviceFamily: "Desktop",
  modelIdentifier: "PC1,1",
  timeZone: "Europe/Vienna",
  deviceId: "5cddb30fddbc86fc85eda9f4c375c8c77808ba6ecb5714e8af24e3c114157cb2",
  instanceId: "webchat-instance-A1",
  reason: "connect",
};

// OpenClaw 2026.1.30, shared/recordings/openclaw-2026.1.30/a-webchat-with-instanceId.jsonl: connection
// webchat-device's system-presence answer (recv, id webchat-device-3), its own row.
const ROW_2026_1_30 = {
  host: "webchat-ui",
  version: "0.0.1-ocpeer",
  platform: "linux",
  mode: "webchat",
  deviceId: "ca51b973f6cd9a881fdd296ca7f5f47142399c42632b01c0aaff8fe6e1af20e6",
  roles: ["operator"],
  scopes: ["operator.read"],
  instanceId: "ca51b973f6cd9a881fdd296ca7f5f47142399c42632b01c0aaff8fe6e1af20e6",
  reason: "connect",
  ts: 1795476174383,
  text: "Node: webchat-ui · mode webchat",
};

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

describe("presence rows with fields beyond SPEC §3", () => {
  it("types: PresenceEntry names none of them; presenceExtras types OpenClaw's and passes others as unknown", () => {
    const row = ROW_2026_9_6 as PresenceEntry;
    // @ts-expect-error PresenceEntry is the contract's row: closed (SPEC §3, §11 W2)
    void row.timeZone;
    const extras = presenceExtras(row);
    expectTypeOf(extras.timeZone).toEqualTypeOf<string | undefined>();
    expectTypeOf(extras.onlineSince).toEqualTypeOf<number | undefined>();
    expectTypeOf(extras.user).toEqualTypeOf<OpenClawPresenceUser | undefined>();
    expectTypeOf(extras.user!.avatarUrl).toEqualTypeOf<string | undefined>();
    expectTypeOf(extras.somethingElse).toEqualTypeOf<unknown>();
    expectTypeOf(presenceExtras).returns.toEqualTypeOf<PresenceExtras>();
    // The published schema still says W2 of such a row (conform warns).
    const checked = validate("PresenceEntry", ROW_2026_9_6);
    expect(checked.ok).toBe(false);
    expect(JSON.stringify(checked)).toMatch(/clientId/);
  });

  it("a real 2026.9.6 and 2026.1.30 row through a real socket: kept as sent, the extras typed", async () => {
    const gw = await startScriptedGateway();
    gw.list = [{ host: "gw", mode: "gateway", reason: "self", ts: Date.now() }, ROW_2026_9_6, ROW_2026_1_30] as PresenceEntry[];
    const client = createPresenceClient({ url: gw.url, client: info, presenceDelta: false });
    try {
      await client.connect();
      const mirrored = client.presence.get("webchat-instance-a1")!;
      expect(mirrored).toEqual(ROW_2026_9_6); // nothing dropped, nothing added
      const { clientId, deviceId, onlineSince, timeZone, user } = presenceExtras(mirrored);
      expect({ clientId, deviceId, onlineSince, timeZone }).toEqual({
        clientId: "webchat-ui",
        deviceId: "5cddb30fddbc86fc85eda9f4c375c8c77808ba6ecb5714e8af24e3c114157cb2",
        onlineSince: 1795475567136,
        timeZone: "Europe/Vienna",
      });
      expect(user?.identity?.type).toBe("profile");
      expect(user?.avatarUrl).toBe("/api/users/gateway-owner/avatar?v=1795475384416");
      expect(presenceExtras(client.presence.get(ROW_2026_1_30.instanceId)!)).toEqual({ deviceId: ROW_2026_1_30.deviceId });
      expect(presenceExtras(client.presence.entries.find((e) => e.host === "gw")!)).toEqual({});

      // A push and a re-read keep them too.
      gw.push([...gw.list, { host: "late", mode: "ui", reason: "connect", ts: Date.now(), timeZone: "Asia/Tokyo" } as PresenceEntry], gw.version + 1);
      await waitFor(() => client.presence.entries.length === 4, "the push");
      expect(presenceExtras(client.presence.entries.find((e) => e.host === "late")!)).toEqual({ timeZone: "Asia/Tokyo" });
      const listed = await client.systemPresence();
      expect(presenceExtras(listed.find((e) => e.instanceId === "webchat-instance-A1")!).clientId).toBe("webchat-ui");
    } finally {
      await client.close();
      await gw.close();
    }
  });

  it("an OpenClaw field of another type is left out (the types never lie); other fields pass as sent", () => {
    const odd = { ts: 1, host: "h", deviceId: 5, onlineSince: "yesterday", timeZone: null, user: { id: 3 }, clientId: "", custom: { a: [1] } };
    const extras = presenceExtras(odd as unknown as PresenceEntry);
    expect(extras).toEqual({ clientId: "", custom: { a: [1] } });
    expect(extras.custom).toBe(odd.custom); // not copied
    expect(presenceExtras({ ts: 1, user: { identity: "profile" } } as unknown as PresenceEntry)).toEqual({});
    expect(presenceExtras({ ts: 1, user: { id: "u", identity: { type: "profile" }, role: "owner" } } as unknown as PresenceEntry)).toEqual({
      user: { id: "u", identity: { type: "profile" }, role: "owner" },
    });
  });

  it("the reference gateway's rows have no field beyond SPEC §3, on both bindings", async () => {
    for (const binding of ["jsonrpc", "openclaw"] as const) {
      const gw = await createGateway({ port: 0, binding, logger: () => {} });
      const client = createPresenceClient({
        url: gw.url,
        binding,
        client: { ...info, displayName: "Desk", deviceFamily: "Linux", modelIdentifier: "PC1,1" },
        instanceId: `desk-${binding}`,
      });
      try {
        await client.connect();
        await client.systemEvent({ instanceId: `desk-${binding}`, reason: "periodic", text: "at the desk", ip: "10.1.2.3", lastInputSeconds: 4 });
        const listed = await client.systemPresence();
        expect(listed.map((e) => e.reason).sort()).toEqual(["periodic", "self"]);
        for (const row of [...listed, ...client.presence.entries]) expect(presenceExtras(row), `${binding}: ${JSON.stringify(row)}`).toEqual({});
      } finally {
        await client.close();
        await gw.close();
      }
    }
  });
});
