// Overload shedding (src/server/limits/overload.ts): while the gateway's event loop stays busy, new
// sockets get HTTP 503 with Retry-After and a socket that has not completed `connect` gets a
// retryable error and close 1013, while connected clients keep getting answers. The load is this
// process's own event loop kept busy (the gateway runs in it): every turn takes BUSY_MS, far over the
// threshold, so the machine's noise can only add to the delay. No timing is asserted: the tests wait
// (bounded) for the gateway to say it is overloaded, then look at what each client got.
import { afterEach, describe, expect, it } from "vitest";
import type { Gateway } from "../../../src/server/index.js";
import { BINDINGS, closedAfterEach, connectParamsOf, systemPresence, upgradeResponse, urlOf, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

/** Each event-loop turn of the load takes this long, ms (the threshold in these tests: 20 ms). */
const BUSY_MS = 60;
const OVERLOAD = { maxEventLoopDelayMs: 20, windowMs: 100, retryAfterMs: 2_500 };

let load: ReturnType<typeof setInterval> | undefined;
const busyLoop = () => {
  load = setInterval(() => {
    const until = performance.now() + BUSY_MS;
    while (performance.now() < until);
  }, 1);
};
const stopLoad = () => clearInterval(load);
afterEach(stopLoad);

/** Waits (bounded: 600 turns) until the gateway's overloaded flag is `state`. */
async function until(gw: Gateway, state: boolean): Promise<void> {
  for (let i = 0; i < 600 && gw.metrics().overloaded !== state; i++) await new Promise((r) => setTimeout(r, 20));
  expect(gw.metrics().overloaded).toBe(state);
}

const rowOf = (list: Array<Record<string, unknown>>, instanceId: string) => list.find((row) => row.instanceId === instanceId);

describe.each(BINDINGS)("%s listener: overload shedding", (binding) => {
  it("while the event loop stays busy: new sockets get 503 + Retry-After, an unconnected socket's connect a retryable error + 1013, the connected client its answers", async () => {
    const lines: string[] = [];
    const gw = await start({ limits: { overload: OVERLOAD }, logger: (l) => lines.push(l) });
    const live = keep(await Wire.connected(gw, binding, "live-1"));
    const pending = keep(await Wire.open(gw, binding, { localAddress: "127.0.0.60" }));
    const before = await systemPresence(live);

    busyLoop();
    await until(gw, true);
    expect(lines.some((l) => /^overload on: event-loop delay \d+ ms \(limit 20 ms\); refusing new connections$/.test(l))).toBe(true);

    const response = await upgradeResponse(urlOf(gw, binding), "127.0.0.61");
    expect(response).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[^]*Retry-After: 3\r\n[^]*gateway overloaded \(event-loop delay \d+ ms, over 20 ms\)/);

    // Answered with an error that answers no request (id null, as every refusal at open), then closed.
    pending.ws.send(pending.request("connect", connectParamsOf(binding, "live-1")));
    const closed = await pending.closed;
    // (over openclaw the first is the connect.challenge sent at open)
    expect(pending.texts).toHaveLength(binding === "openclaw" ? 2 : 1);
    const refused = pending.texts.at(-1)!;
    expect(refused).toMatch(binding === "jsonrpc" ? /"code":-32603,[^]*"code":"INTERNAL_ERROR","retryAfterMs":2500/ : /"code":"UNAVAILABLE"[^]*"retryable":true,"retryAfterMs":2500/);
    expect(refused).toMatch(/gateway overloaded/);
    expect(closed).toMatchObject({ code: 1013, reason: "overloaded" });

    // Served as before, its row untouched by the refused connect that named its instanceId.
    const during = await systemPresence(live);
    expect(during).toHaveLength(before.length);
    expect(rowOf(during, "live-1")).toEqual(rowOf(before, "live-1"));
    expect(gw.metrics().overloadRefusals).toBe(2);
    expect(lines.filter((l) => /^reject (conn=\S+|socket) reason=OVERLOADED gateway overloaded/.test(l))).toHaveLength(2);

    stopLoad();
    await until(gw, false);
    expect(lines.some((l) => /^overload off: event-loop delay \d+ ms \(limit 20 ms\)$/.test(l))).toBe(true);
    const next = keep(await Wire.connected(gw, binding, "after"));
    expect(rowOf(await systemPresence(next), "live-1")).toEqual(rowOf(before, "live-1"));
  });
});

describe("overload shedding by event-loop utilization", () => {
  it("maxEventLoopUtilization: a loop busy all the time sheds though its delay stays under maxEventLoopDelayMs", async () => {
    const lines: string[] = [];
    const gw = await start({ limits: { overload: { ...OVERLOAD, maxEventLoopDelayMs: 60_000, maxEventLoopUtilization: 0.5 } }, logger: (l) => lines.push(l) });
    const live = keep(await Wire.connected(gw, "jsonrpc", "live-1"));
    busyLoop();
    await until(gw, true);
    expect(gw.metrics().eventLoopUtilization).toBeGreaterThan(0.5);
    expect(lines.some((l) => /^overload on: event-loop utilization (0\.[5-9]\d|1\.00) \(limit 0\.5\); refusing new connections$/.test(l))).toBe(true);
    expect(await upgradeResponse(urlOf(gw, "jsonrpc"), "127.0.0.62")).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[^]*gateway overloaded \(event-loop utilization (0\.[5-9]\d|1\.00), over 0\.5\)/);
    expect(rowOf(await systemPresence(live), "live-1")).toBeDefined();
    stopLoad();
    await until(gw, false);
  });
});

describe("overload shedding switched off", () => {
  it("limits.overload.enabled false: the same busy loop refuses nothing and measures nothing", async () => {
    const gw = await start({ limits: { overload: { ...OVERLOAD, enabled: false } } });
    busyLoop();
    // Ten windows of the load, counted in turns of it (not in time).
    for (let turns = 0; turns < 20; turns++) await new Promise((r) => setTimeout(r, 5));
    const wire = keep(await Wire.connected(gw, "jsonrpc", "accepted"));
    expect(await wire.answerTo(wire.request("system-presence"))).toContain("accepted");
    expect(gw.metrics()).toMatchObject({ overloaded: false, eventLoopDelayMs: 0, overloadRefusals: 0 });
  });
});
