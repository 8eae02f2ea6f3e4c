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
