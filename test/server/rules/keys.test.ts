import { describe, expect, it } from "vitest";
import { connectClient, eventually, list, observer, peers, rowOf, startGateway } from "../helpers.js";

describe("K1: presence key", () => {
  it("a reconnect without instanceId gives two rows (the documented duplicate)", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    const first = await connectClient(gw, { displayName: "No Id" });
    await first.client.close();
    const second = await connectClient(gw, { displayName: "No Id" });
    expect(second.hello.server.connId).not.toBe(first.hello.server.connId);
    await eventually(async () => {
      const rows = peers(await list(watcher)).filter((row) => row.host === "No Id");
      expect(rows).toHaveLength(2);
      expect(rows.map((row) => row.reason).sort()).toEqual(["connect", "disconnect"]);
    });
  });

  it("the same instanceId in another letter case gives one row", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    const upper = await connectClient(gw, { instanceId: "ABC-1", displayName: "Upper" });
    await upper.client.close();
    await connectClient(gw, { instanceId: "  abc-1 ", displayName: "Lower" });
    const rows = peers(await list(watcher));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ instanceId: "abc-1", host: "Lower", reason: "connect" });
  });
});

describe("K2: which row a beacon updates", () => {
  it("a beacon with the connection's instanceId merges into the connection's row", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "Mac-1", displayName: "Mac" });
    await client.result("system-event", { instanceId: "mac-1", text: "Node: Mac", lastInputSeconds: 3, ip: "192.168.1.20" });
    const rows = peers(await list(client));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ host: "Mac", text: "Node: Mac", lastInputSeconds: 3, ip: "192.168.1.20", mode: "ui" });
  });

  it("a beacon without instanceId updates the sender's row, also one connected without instanceId", async () => {
    const gw = await startGateway();
    const { client, hello } = await connectClient(gw, { displayName: "Anon" });
    await client.result("system-event", { text: "hello", host: "renamed" });
    const rows = peers(await list(client));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ host: "renamed", text: "hello" });
    expect(hello.server.connId).toBeTruthy();
  });

  it("a beacon with another instanceId creates or updates that row, never one keyed by text or host", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "me" });
    await client.result("system-event", { instanceId: "other", text: "Node: other", host: "other-host" });
    await client.result("system-event", { instanceId: "OTHER", text: "Node: other again" });
    const rows = peers(await list(client));
    expect(rows.map((row) => row.instanceId).sort()).toEqual(["OTHER", "me"]);
    expect(rowOf(rows, "other")).toMatchObject({ text: "Node: other again", host: "other-host" });
  });

  it("a beacon without instanceId from an untracked (cli) connection is acknowledged and changes nothing", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { mode: "cli" });
    const version = (await client.result<{ ok: boolean }>("system-event", { text: "Gateway: vm", host: "vm" })).ok;
    expect(version).toBe(true);
    expect(peers(await list(client))).toEqual([]);
  });
});

describe("K3: field-by-field merge", () => {
  it("absent fields keep their values, roles and scopes are unions, ts is the server's", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "m", displayName: "Box", scopes: ["operator.read", "operator.write"] });
    const before = rowOf(await list(client), "m")!;
    await client.result("system-event", { text: "first", roles: ["viewer"], scopes: ["extra.scope"], version: "2.0" });
    await client.result("system-event", { lastInputSeconds: 9 });
    const after = rowOf(await list(client), "m")!;
    expect(after).toMatchObject({ host: "Box", text: "first", version: "2.0", lastInputSeconds: 9, platform: "linux" });
    expect(after.roles).toEqual(["operator", "viewer"]);
    expect(after.scopes).toEqual(["operator.read", "operator.write", "extra.scope"]);
    expect(after.ts).toBeGreaterThanOrEqual(before.ts);
  });

  it("null is invalid params, and changes nothing", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "n" });
    await client.result("system-event", { text: "kept" });
    const response = await client.call("system-event", { text: null });
    expect(response.error?.data).toMatchObject({ code: "INVALID_PARAMS" });
    expect(rowOf(await list(client), "n")?.text).toBe("kept");
  });

  it("a beacon-reported ip stays until a later beacon reports another", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "ipper" });
    await client.result("system-event", { ip: "10.0.0.1" });
    await client.result("system-event", { text: "no ip here" });
    expect(rowOf(await list(client), "ipper")?.ip).toBe("10.0.0.1");
    await client.result("system-event", { ip: "10.0.0.2" });
    expect(rowOf(await list(client), "ipper")?.ip).toBe("10.0.0.2");
  });
});

describe("K4: stored instanceId keeps its latest writer's case", () => {
  it("lookups ignore case, the stored value follows the latest write", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "Abc-1" });
    await client.result("system-event", { instanceId: " ABC-1 ", text: "beacon" });
    const rows = peers(await list(client));
    expect(rows).toHaveLength(1);
    expect(rows[0].instanceId).toBe("ABC-1");
    await client.close();
    const watcher = await observer(gw);
    await eventually(async () => expect(rowOf(await list(watcher), "abc-1")?.reason).toBe("disconnect"));
  });
});
