// A lone surrogate (`"\udc00"` in JSON) is no character and UTF-8 cannot carry it. Found by writing
// the same hostile beacons to a gateway alone and to two gateways on a real redis-server and comparing
// the lists: in the cluster `"k\udc00"` and `"k\udc01"` were one row `"k\ufffd"` (the second beacon
// overwrote the first's), a role `"\udc00"` vanished, a host came back as `"x\ufffd"`. Now every
// gateway refuses such a stored string with INVALID_PARAMS naming it (src/server/core/well-formed.ts).
import { describe, expect, it } from "vitest";
import { REDIS_MISSING, withRedis } from "../../support/redis-server.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { BINDINGS, closedAfterEach, connectParamsOf, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

type Answer = { result?: unknown; payload?: unknown; ok?: boolean; error?: { message: string; code: number | string; data?: { errors?: Array<{ path: string }> } } };
const rows = async (wire: Wire) => {
  const answer = JSON.parse(await wire.answerTo(wire.request("system-presence"))) as Answer;
  return ((answer.result ?? answer.payload) as Array<Record<string, unknown>>).filter((row) => row.reason !== "self");
};
const withoutTs = (list: Array<Record<string, unknown>>) => list.map(({ ts: _ts, ...row }) => row);

describe.each(BINDINGS)("%s: strings that are not well-formed Unicode", (binding) => {
  it("a beacon's or a connect's lone surrogate is refused naming its field; the list is unchanged; a surrogate pair is fine", async () => {
    const gw = await start({ logger: () => {} });
    const watcher = keep(await Wire.connected(gw, binding, "watcher"));
    const writer = keep(await Wire.connected(gw, binding, "writer"));
    expect(await writer.answerTo(writer.request("system-event", { instanceId: "k", text: "before" }))).toContain('"ok":true');
    const before = withoutTs(await rows(watcher));
    const refused: Array<[string, unknown, string]> = [
      ["system-event", { instanceId: "k\udc00", text: "first" }, "/instanceId"],
      ["system-event", { instanceId: "k", host: "x\ud800" }, "/host"],
      ["system-event", { instanceId: "k", text: "ok", roles: ["fine", "\udfff"] }, "/roles/1"],
    ];
    for (const [method, params, path] of refused) {
      const text = await writer.answerTo(writer.request(method, params));
      const answer = JSON.parse(text) as Answer;
      // jsonrpc: "... /host must be ...", openclaw (OpenClaw's wording): "... at /host: must be ...".
      expect(answer.error?.message ?? text).toMatch(new RegExp(`${path}:? must be well-formed Unicode: a lone surrogate \\\\u`));
      if (binding === "jsonrpc") expect(answer.error?.data?.errors?.map((e) => e.path)).toEqual([path]);
    }
    const fresh = keep(await Wire.open(gw, binding));
    const connect = { ...connectParamsOf(binding, "newcomer"), client: { ...(connectParamsOf(binding).client as object), displayName: "me\udc00", instanceId: "newcomer" } };
    expect(await fresh.answerTo(fresh.request("connect", connect))).toMatch(/\/client\/displayName:? must be well-formed Unicode/);
    expect(withoutTs(await rows(watcher))).toEqual(before);
    expect(await writer.answerTo(writer.request("system-event", { instanceId: "k\ud83d\ude00", host: "x😀" }))).toContain('"ok":true');
    expect((await rows(watcher)).find((row) => row.instanceId === "k😀")).toMatchObject({ host: "x😀" });
  });
});

describe.skipIf(REDIS_MISSING !== undefined)(`two gateways on one Redis${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("refuse the lone surrogates the memory gateway refuses: no two instanceIds become one row", () =>
    withRedis(async (redis) => {
      const gateways: Gateway[] = [];
      try {
        for (const gatewayId of ["gw-a", "gw-b"]) {
          gateways.push(await createGateway({ host: "127.0.0.1", port: 0, logger: () => {}, redis: { url: redis.url, prefix: `surrogates-${process.pid}`, gatewayId } }));
        }
        const onA = keep(await Wire.connected(gateways[0]!, "jsonrpc", "writer"));
        const onB = keep(await Wire.connected(gateways[1]!, "jsonrpc", "watcher"));
        for (const [instanceId, text] of [["k\udc00", "first"], ["k\udc01", "second"]]) {
          expect(await onA.answerTo(onA.request("system-event", { instanceId, text }))).toContain("/instanceId must be well-formed Unicode");
        }
        expect(await onA.answerTo(onA.request("system-event", { instanceId: "k😀", text: "astral" }))).toContain('"ok":true');
        expect((await rows(onB)).filter((row) => String(row.instanceId).startsWith("k")).map((row) => [row.instanceId, row.text])).toEqual([["k😀", "astral"]]);
      } finally {
        await Promise.all(gateways.map((g) => g.close()));
      }
    }));
});
