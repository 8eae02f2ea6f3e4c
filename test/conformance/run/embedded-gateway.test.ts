// conform's embedded reference gateway (no --url) runs in the harness's own process: a busy event loop
// there is the harness's (or the machine's) load, not the gateway's, so the gateway must not shed it.
// The load is this process's event loop kept busy, every turn 60 ms, over shedding's default 50 ms
// threshold; without EMBEDDED's `overload.enabled: false` the gateway answers the next connect 503.
import { afterEach, expect, it } from "vitest";
import { EMBEDDED } from "../../../src/cli/commands/conform.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { Wire } from "../../server/hardening/wire.js";

const BUSY_MS = 60;
let load: ReturnType<typeof setInterval> | undefined;
let gw: Gateway | undefined;
afterEach(async () => {
  clearInterval(load);
  await gw?.close();
});

it("conform's embedded gateway keeps accepting connects while its process's event loop stays busy (no overload shedding)", async () => {
  gw = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, ...EMBEDDED });
  load = setInterval(() => {
    const until = performance.now() + BUSY_MS;
    while (performance.now() < until);
  }, 1);
  // Forty turns of the load (about 2.6 s, counted in turns, not in time): five of shedding's default
  // 500 ms windows, where two in a row over 50 ms would switch it on.
  for (let turns = 0; turns < 40; turns++) await new Promise((r) => setTimeout(r, 5));
  const wire = await Wire.connected(gw, "jsonrpc", "during-load");
  try {
    expect(await wire.answerTo(wire.request("system-presence"))).toContain("during-load");
  } finally {
    wire.ws.close();
  }
  expect(gw.metrics()).toMatchObject({ overloaded: false, overloadRefusals: 0 });
});
