/**
 * A gateway that stops during a conform run (stopped, crashed, restarting): nothing listens at its
 * address any more. The scenarios after that are not run and the run ends with a run error (exit 2),
 * as after refused connections, instead of each failing its first connect under its own rules
 * (a killed gateway was reported "FAIL: behaviour: 22 scenarios failed", K3, M1, M2, P1, ... each).
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { formatHtml } from "../../../src/conformance/report/html.js";
import { formatSummary } from "../../../src/conformance/report/pretty.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../../src/server/index.js";
import { planter, referenceGateway, runOptions } from "../gateways.js";
import { scaled } from "../../support/timing.js";

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/**
 * Connects, lists and disconnects; the test stops the gateway when it ends (its scenario-end
 * progress event, which the runner emits before it starts the next scenario).
 *
 * Not, as before, when its row said `disconnect` while a 400 ms sleep step ended it: that raced the
 * sleep against the gateway's handling of the close. With the gateway's close event held back 600 ms
 * (a busy machine can delay one I/O event that long), `second` and `third` connected and passed
 * before the gateway stopped ("second passed" where "second skipped" was expected); 100 and 300 ms passed.
 * The gateway stops accepting at once in close() (its listener's server.close), so `second` meets a
 * closed port whatever the timing.
 */
const lingerer: Scenario = {
  id: "lingerer",
  title: "connects, lists, disconnects; the gateway stops after it",
  rules: ["M1"],
  level: "MUST",
  actors: { w: { client: { mode: "ui" } } },
  steps: [
    { step: "connect", actor: "w" },
    { step: "list", actor: "w", contains: [{ reason: "self" }] },
    { step: "disconnect", actor: "w" },
  ],
};

/**
 * Stops the gateway once a row says `reason`, polled every 10 ms: the scenario's only client row, so the
 * scenario has got that far however slow the machine is. The row is written before the answer that lets
 * the scenario go on to its sleep, so the stop may come before that answer reaches the client or during
 * the sleep. After a limit grown with the load (a wait that never ends would hide the failure) it stops
 * the gateway anyway.
 */
function onRow(gw: Gateway, reason: "connect" | "disconnect"): void {
  const started = Date.now();
  const limit = scaled(10_000);
  const poll = async (): Promise<void> => {
    const rows = await gw.store.list();
    if (rows.some((row) => row.reason === reason) || Date.now() - started > limit) return void gw.close();
    setTimeout(() => void poll(), 10);
  };
  void poll();
}
const second: Scenario = { ...planter, id: "second", rules: ["K3"] };
/** Connects, sleeps (the test closes its connection with 1001 meanwhile: the gateway stops, or a relay closes it), then lists. */
const sleeper: Scenario = {
  id: "sleeper",
  title: "connects, sleeps, lists",
  rules: ["M1"],
  level: "MUST",
  actors: { w: { client: { mode: "ui" } } },
  steps: [
    { step: "connect", actor: "w" },
    { step: "sleep", ms: 400 },
    { step: "list", actor: "w", contains: [{ reason: "self" }] },
  ],
};

/**
 * A WebSocket relay in front of the gateway that can close a client with 1001 and go on listening.
 * `goAwayAfterAnswer()` arms it: the next connection's first frame from the gateway (its hello-ok) is
 * passed on, then that client is closed with 1001, so the close always comes after the connect step
 * and during the sleep. (Closing it once the gateway listed the row raced the hello-ok, which the
 * gateway sends after writing the row and which still had the relay's two hops to go: in a full
 * `npm test` at a load of 6 to 8 the close came first, 'connection closed (1001 going away) while
 * waiting for answer to request "w-1"'; reproduced by holding the relay's frames 50 ms.)
 */
async function relayTo(url: string): Promise<{ url: string; goAwayAfterAnswer(): void; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  let armed = false;
  server.on("connection", (client) => {
    const goAway = armed;
    armed = false;
    const upstream = new WebSocket(url);
    const early: Buffer[] = [];
    upstream.on("open", () => early.splice(0).forEach((m) => upstream.send(m.toString())));
    client.on("message", (m: Buffer) => (upstream.readyState === WebSocket.OPEN ? upstream.send(m.toString()) : early.push(m)));
    upstream.on("message", (m: Buffer) => {
      client.send(m.toString());
      if (goAway) client.close(1001, "going away");
    });
    client.on("close", () => upstream.close());
    upstream.on("close", () => client.close());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    goAwayAfterAnswer: () => void (armed = true),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
const third: Scenario = { ...planter, id: "third", rules: ["P1"] };

describe("a gateway that stops accepting connections during the run", () => {
  it("ends the run: the scenarios after it are not run, no rule is failed, and every report says why", async () => {
    gateway = await referenceGateway();
    const gw = gateway;
    const url = gw.url;
    const result = await runConformance(
      runOptions(gw, {
        scenarios: [lingerer, second, third],
        // Stopped as `lingerer` ends: its own steps ran; `second` finds nothing listening.
        onProgress: (e) => {
          if (e.type === "scenario-end" && e.result.id === "lingerer") void gw.close();
        },
      }),
    );
    expect(result.scenarios.map((s) => `${s.id} ${s.status}`)).toEqual(["lingerer passed", "second skipped", "third skipped"]);
    const said = `the gateway at ${url} stopped accepting connections during the run (ECONNREFUSED: nothing listens there any more; it stopped, crashed or is restarting): actor "a" of second could not open its connection, so it and the scenarios after it were not run`;
    expect(result.error).toBe(said);
    expect(result.scenarios[1]!.reason).toBe(`not run: ${said}`);
    expect(result.scenarios[2]!.reason).toBe("not run: the run ended when the gateway stopped accepting connections (at second)");
    expect(result.summary).toMatchObject({ failed: 0, notRun: 2 });
    expect(result.byRule.K3).toMatchObject({ failed: 0, notRun: 1 });
    expect(result.ok).toBe(false);
    const summary = formatSummary(result).trimEnd().split("\n");
    expect(summary.at(-2)).toMatch(/^Scenarios: 1 of 3 ran before the gateway stopped accepting connections — 1 passed, 0 failed, 0 with warnings, 0 skipped; 2 not run /);
    expect(summary.at(-1)).toBe("FAIL: the gateway stopped accepting connections, so 2 of the 3 scenarios did not run (see the run error above)");
    expect(formatHtml(result)).toContain("Scenarios: 1 of 3 ran before the gateway stopped accepting connections");
  });

  it("a scenario whose connection the gateway closes with 1001 as it shuts down is not run either", async () => {
    gateway = await referenceGateway();
    const gw = gateway;
    const result = await runConformance(
      runOptions(gw, {
        scenarios: [sleeper, second],
        onProgress: (e) => {
          if (e.type === "scenario-start" && e.id === "sleeper") onRow(gw, "connect");
        },
      }),
    );
    expect(result.scenarios.map((s) => `${s.id} ${s.status}`)).toEqual(["sleeper skipped", "second skipped"]);
    expect(result.error).toBe(
      `the gateway at ${gw.url} stopped accepting connections during the run (ECONNREFUSED: nothing listens there any more; it stopped, crashed or is restarting): ` +
        `it closed actor "w"'s connection of sleeper with 1001 (going away) and refused a new one, so it and the scenarios after it were not run`,
    );
    expect(result.summary).toMatchObject({ failed: 0, notRun: 2 });
  });

  it("a gateway that closes a connection with 1001 but still accepts new ones is judged as it ran", async () => {
    gateway = await referenceGateway();
    const relay = await relayTo(gateway.url);
    try {
      const result = await runConformance({
        ...runOptions(gateway, { scenarios: [sleeper, second], onProgress: (e) => e.type === "scenario-start" && e.id === "sleeper" && relay.goAwayAfterAnswer() }),
        url: relay.url,
      });
      expect(result.scenarios.map((s) => `${s.id} ${s.status}`)).toEqual(["sleeper failed", "second passed"]);
      expect(result.scenarios[0]!.checks.find((c) => c.status === "failed")?.message).toBe('actor "w" was closed (1001)');
      expect(result.error).toBeUndefined();
    } finally {
      await relay.close();
    }
  });
});
