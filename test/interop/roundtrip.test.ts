// Record -> fixture -> replay, against the reference gateway: SDK traffic recorded through the proxy
// becomes a scenario that passes on a fresh gateway and fails on one that breaks K1.
import { afterEach, describe, expect, it } from "vitest";
import { checkScenario } from "../../src/conformance/scenario/fixtures.js";
import { runConformance } from "../../src/conformance/run/runner.js";
import { createPresenceClient, type PresenceClient, type PresenceClientOptions } from "../../src/index.js";
import { recordingToScenario } from "../../src/record/fixture.js";
import { startRecordingProxy } from "../../src/record/proxy.js";
import { parseRecording } from "../../src/record/recording.js";
import { createGateway, type GatewayOptions } from "../../src/server/index.js";

const TOKEN = "round-trip-token";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gateway(options: GatewayOptions = {}) {
  const gw = await createGateway({ host: "127.0.0.1", port: 0, token: TOKEN, ...options });
  cleanups.push(() => gw.close());
  return gw;
}

async function recordSession(): Promise<string> {
  const gw = await gateway();
  const lines: string[] = [];
  const proxy = await startRecordingProxy({ port: 0, upstream: gw.url, write: (l) => lines.push(l) });
  cleanups.push(() => proxy.close());
  const open = async (o: Partial<PresenceClientOptions>): Promise<PresenceClient> => {
    const client = createPresenceClient({ url: proxy.url, token: TOKEN, reconnect: false, ...o } as PresenceClientOptions);
    await client.connect();
    return client;
  };
  const settle = () => new Promise((r) => setTimeout(r, 150));
  const observer = await open({ client: { id: "rt-observer", displayName: "Observer", version: "1", platform: "test", mode: "webchat" }, instanceId: "rt-observer" });
  const app = await open({ client: { id: "rt-app", displayName: "App", version: "1", platform: "macos", mode: "ui" }, instanceId: "RT-App" });
  await settle();
  await observer.request("system-event", { instanceId: "rt-beacon", text: "beacon", host: "beacon-host", ip: "10.1.2.3" });
  await observer.request("system-event", { text: "x", bogus: 1 } as never).catch(() => undefined);
  await app.close();
  await settle();
  await observer.request("system-presence", {});
  const again = await open({ client: { id: "rt-app", displayName: "App", version: "2", platform: "macos", mode: "ui" }, instanceId: "rt-app" });
  await settle();
  await observer.request("system-presence", {});
  await again.close();
  await settle();
  await observer.close();
  await settle();
  return lines.join("");
}

describe("record -> fixture -> replay against the reference gateway", () => {
  it("the recorded session replays cleanly on a fresh gateway, and catches a gateway that breaks K1", async () => {
    const scenario = checkScenario(recordingToScenario(parseRecording(await recordSession()), { name: "round trip" }), "round-trip.json");
    const steps = scenario.steps.map((s) => s.step);
    expect(steps).toEqual(expect.arrayContaining(["connect", "send", "list", "disconnect", "expectEvent"]));
    expect(JSON.stringify(scenario)).toMatch(/"\$\{run\}-[0-9a-f]{6}-RT-App"/);

    const fresh = await gateway();
    const clean = await runConformance({ url: fresh.url, token: TOKEN, scenarios: [scenario], strict: true });
    const failures = clean.scenarios.flatMap((s) => s.checks.filter((c) => c.status !== "passed").map((c) => `${c.id}: ${c.message}`));
    expect(failures).toEqual([]);
    expect(clean.scenarios[0]!.status).toBe("passed");
    expect(clean.scenarios[0]!.checks.length).toBeGreaterThan(10);

    const broken = await gateway({ faults: { caseSensitiveKeys: true } });
    const caught = await runConformance({ url: broken.url, token: TOKEN, scenarios: [scenario], strict: true });
    expect(caught.scenarios[0]!.status).toBe("failed");
    // "RT-App" and "rt-app" become two rows: the listing after the reconnect counts one too many.
    const failed = caught.scenarios[0]!.checks.filter((c) => c.status === "failed");
    expect(failed.some((c) => c.id.endsWith("-list") && /\/count: expected 3, got 4/.test(c.message ?? ""))).toBe(true);
  });

  it("a client that keeps its instanceId, recorded on a gateway that listed it already, replays on a fresh gateway", async () => {
    // The SDK's advice (loadNodeInstanceId): the same instanceId on every run. Its row from an earlier
    // run, with that run's lastInputSeconds, is on the gateway before the recording starts.
    const gw = await gateway();
    const app = { id: "rt-kept", displayName: "Kept", version: "1", platform: "macos", mode: "ui" } as const;
    const earlier = createPresenceClient({ url: gw.url, token: TOKEN, reconnect: false, client: app, instanceId: "rt-kept" });
    await earlier.connect();
    await earlier.systemEvent({ instanceId: "rt-kept", lastInputSeconds: 42, reason: "periodic" });
    await earlier.close();
    const lines: string[] = [];
    const proxy = await startRecordingProxy({ port: 0, upstream: gw.url, write: (l) => lines.push(l) });
    cleanups.push(() => proxy.close());
    const settle = () => new Promise((r) => setTimeout(r, 150));
    const observer = createPresenceClient({ url: proxy.url, token: TOKEN, reconnect: false, client: { id: "rt-observer", displayName: "Observer", version: "1", platform: "test", mode: "webchat" }, instanceId: "rt-kept-observer" });
    await observer.connect();
    await observer.systemPresence(); // lists the earlier run's row: reason disconnect, lastInputSeconds 42
    const again = createPresenceClient({ url: proxy.url, token: TOKEN, reconnect: false, client: app, instanceId: "rt-kept" });
    await again.connect(); // its hello-ok row still carries lastInputSeconds 42, merged (K3)
    await settle();
    await again.systemEvent({ instanceId: "rt-kept", lastInputSeconds: 3, reason: "periodic" });
    await settle();
    await observer.systemPresence();
    await again.close();
    await settle();
    await observer.close();
    await settle();

    const scenario = checkScenario(recordingToScenario(parseRecording(lines.join("")), { name: "kept id" }), "kept-id.json");
    const text = JSON.stringify(scenario);
    expect(text).not.toMatch(/"lastInputSeconds":42/);
    expect(text).toMatch(/"lastInputSeconds":3/); // what the recording's own beacon wrote is still checked
    const fresh = await gateway();
    const result = await runConformance({ url: fresh.url, token: TOKEN, scenarios: [scenario], strict: true });
    expect(result.scenarios[0]!.checks.filter((c) => c.status !== "passed").map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(result.scenarios[0]!.status).toBe("passed");
  });

  // Recorded through the proxy from a gateway with `token` (null: wants none), by clients with or without one.
  async function recordConnects(token: string | null, clients: Array<{ id: string; token?: string }>): Promise<string> {
    const gw = await gateway(token === null ? { token: undefined } : { token });
    const lines: string[] = [];
    const proxy = await startRecordingProxy({ port: 0, upstream: gw.url, write: (l) => lines.push(l) });
    cleanups.push(() => proxy.close());
    for (const c of clients) {
      const client = createPresenceClient({ url: proxy.url, token: c.token, reconnect: false, client: { id: c.id, displayName: c.id, version: "1", platform: "test", mode: "ui" }, instanceId: c.id });
      await client.connect().catch(() => undefined);
      await client.close();
    }
    await new Promise((r) => setTimeout(r, 150));
    return lines.join("");
  }

  it("a session recorded on a gateway that wants no token replays on one that does, with the run's token", async () => {
    const recorded = await recordConnects(null, [{ id: "rt-open" }]);
    const scenario = checkScenario(recordingToScenario(parseRecording(recorded), { name: "no token" }), "no-token.json");
    expect(Object.values(scenario.actors).map((a) => a.auth)).toEqual(["default"]);
    expect(scenario.requires ?? []).not.toContain("token");
    const guarded = await gateway();
    const result = await runConformance({ url: guarded.url, token: TOKEN, scenarios: [scenario], strict: true });
    expect(result.scenarios[0]!.checks.filter((c) => c.status !== "passed").map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(result.scenarios[0]!.status).toBe("passed");
  });

  it("a connect recorded without a token and refused UNAUTHORIZED replays without one, whatever the run's token", async () => {
    const recorded = await recordConnects(TOKEN, [{ id: "rt-tokenless" }]);
    const scenario = checkScenario(recordingToScenario(parseRecording(recorded), { name: "refused" }), "refused.json");
    expect(Object.values(scenario.actors).map((a) => a.auth)).toEqual(["none"]);
    const guarded = await gateway();
    const result = await runConformance({ url: guarded.url, token: TOKEN, scenarios: [scenario], strict: true });
    expect(result.scenarios[0]!.checks.filter((c) => c.status !== "passed").map((c) => `${c.id}: ${c.message}`)).toEqual([]);
  });
});
