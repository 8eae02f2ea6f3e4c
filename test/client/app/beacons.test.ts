// startBeacons: launch (at once, or at the first open), connect after each later reconnect, periodic, stop with the client.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../../src/index.js";
import { startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("beacons", () => {
  let gw: ScriptedGateway;
  let client: PresenceClient;
  const beacons = () => gw.requests.filter((r) => r.method === "system-event").map((r) => r.params);
  beforeEach(async () => {
    gw = await startScriptedGateway();
    client = createPresenceClient({ url: gw.url, client: info, instanceId: "Beacon-1", reconnect: { initialDelayMs: 20, maxDelayMs: 40 } });
  });
  afterEach(async () => {
    await client.close();
    await gw.close();
  });

  it("sends launch, then connect after a reconnect, then periodic, all with the instanceId", async () => {
    await client.connect();
    let idle = 41.7;
    client.startBeacons({ intervalMs: 60, lastInputSeconds: () => idle, host: "desk", ip: "10.0.0.5", text: "hello" });
    await waitFor(() => beacons().length === 1, "launch");
    expect(beacons()[0]).toEqual({ instanceId: "Beacon-1", reason: "launch", host: "desk", ip: "10.0.0.5", text: "hello", lastInputSeconds: 41 });
    await waitFor(() => beacons().some((b) => b.reason === "periodic"), "a periodic beacon");
    for (const s of gw.sockets) s.terminate();
    await waitFor(() => beacons().some((b) => b.reason === "connect"), "a connect beacon");
    idle = -3; // a clock jump must not produce an invalid value
    await waitFor(() => beacons().filter((b) => b.reason === "periodic").length >= 3, "more periodic beacons");
    expect(beacons().every((b) => b.instanceId === "Beacon-1")).toBe(true);
    expect(beacons().at(-1)!.lastInputSeconds).toBe(0);
    const secondHandshake = gw.requests.map((r) => r.method).lastIndexOf("connect");
    const connectBeacon = gw.requests.findIndex((r) => r.method === "system-event" && r.params.reason === "connect");
    expect(secondHandshake).toBeGreaterThan(0);
    expect(connectBeacon).toBeGreaterThan(secondHandshake);
  });

  it("started before connect: one beacon (launch) when the connection opens, not launch and connect", async () => {
    client.startBeacons({ intervalMs: 60_000 });
    await sleep(50);
    expect(beacons()).toEqual([]); // nothing queued while not connected
    await client.connect();
    await waitFor(() => beacons().length === 1, "the launch beacon");
    await sleep(100);
    expect(beacons().map((b) => b.reason)).toEqual(["launch"]);
    for (const s of gw.sockets) s.terminate();
    await waitFor(() => beacons().length === 2, "the connect beacon after the reconnect");
    expect(beacons().map((b) => b.reason)).toEqual(["launch", "connect"]);
  });

  it("stops when the client closes, and when stopped by hand", async () => {
    await client.connect();
    const handle = client.startBeacons({ intervalMs: 30 });
    await waitFor(() => beacons().filter((b) => b.reason === "periodic").length >= 2, "periodic beacons");
    handle.stop();
    const count = beacons().length;
    await sleep(120);
    expect(beacons().length).toBe(count);

    client.startBeacons({ intervalMs: 30 });
    await waitFor(() => beacons().length > count + 1, "beacons again");
    await client.close();
    const after = beacons().length;
    await sleep(120);
    expect(beacons().length).toBe(after);
    expect(() => client.startBeacons()).toThrow(/client is closed/);
  });

  it("reports a failed beacon and goes on", async () => {
    await client.connect();
    let calls = 0;
    gw.handlers["system-event"] = () =>
      ++calls === 1 ? { error: { code: -32004, message: "slow down", data: { code: "RATE_LIMITED", retryAfterMs: 50 } } } : { ok: true };
    const errors: Array<[string, string]> = [];
    client.startBeacons({ intervalMs: 30, onError: (e, reason) => errors.push([reason, (e as { code?: string }).code ?? ""]) });
    await waitFor(() => calls >= 3, "later beacons");
    expect(errors).toEqual([["launch", "RATE_LIMITED"]]);
    expect(() => client.startBeacons({ intervalMs: 0 })).toThrow(/intervalMs must be > 0/);
  });

  it("without onError, a failed beacon goes to the client's error event (it used to vanish)", async () => {
    await client.connect();
    // What OpenClaw 2026.9.6 answers a beacon from a client with SPEC H7's default scopes.
    gw.handlers["system-event"] = () => ({ error: { code: -32003, message: "missing scope: operator.admin", data: { code: "FORBIDDEN", missingScope: "operator.admin" } } });
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    client.startBeacons();
    await waitFor(() => errors.length === 1, "the launch beacon's error");
    expect(errors[0]).toMatchObject({ name: "GatewayError", code: "FORBIDDEN", missingScope: "operator.admin" });
    expect(errors[0]!.message).toMatch(/^system-event: FORBIDDEN: missing scope: operator\.admin \(the gateway wants operator\.admin for system-event/);
    // With onError, it goes there only.
    const handled: string[] = [];
    const handle = client.startBeacons({ onError: (e, reason) => handled.push(reason) });
    await waitFor(() => handled.includes("launch"), "the handled launch beacon");
    handle.stop();
    expect(errors).toHaveLength(1); // still only the first handle's launch beacon
  });
});
