// SPEC B1 per method and per field, as a property over real sockets on both bindings: a valid request
// with one field made wrong (a wrong type, null, empty or blank, over its cap, a lone surrogate, an
// unknown key, `__proto__` and `constructor` as keys) is answered with an error that names that
// field's path, the gateway keeps answering, and the list others read is unchanged, row for row.
// (fuzz.test.ts throws whole mutated frames at the gateway and checks that nothing breaks; this checks
// that each refusal says which field was wrong.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BINDINGS, closedAfterEach, connectParamsOf, requestFrame, Wire } from "./wire.js";
import { scaled } from "../../support/timing.js";

const { start, keep } = closedAfterEach();

const STRING_FIELDS = ["instanceId", "text", "host", "ip", "version", "platform", "deviceFamily", "modelIdentifier", "mode", "reason"] as const;
const CLIENT_FIELDS = ["id", "displayName", "version", "platform", "deviceFamily", "modelIdentifier", "mode", "instanceId"] as const;

const badString = fc.constantFrom<unknown>(null, 1, true, {}, [], "", "   ", "x".repeat(1025), "\udc00");
const badList = fc.constantFrom<unknown>(null, "operator", [1], [""], [" "], [null], Array.from({ length: 33 }, (_, i) => `r${i}`), ["\ud800"]);
const badCount = fc.constantFrom<unknown>(null, -1, 1.5, "1", true, [], 9007199254740992);
const unknownKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "ts", "Text"), fc.string({ minLength: 1, maxLength: 12 }));

/** A key as a JSON Pointer segment (RFC 6901: `~` is `~0`, `/` is `~1`). */
const segment = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** One field made wrong: its JSON Pointer inside params, and the params' JSON text. */
interface Corruption {
  path: string;
  params: string;
}

/** `base` with `key` set to `value` at the end of its JSON text, so `__proto__` is a real key of the frame. */
function withKey(base: Record<string, unknown>, key: string, value: unknown): string {
  const rest = JSON.stringify(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)));
  return `${rest.slice(0, -1)}${rest.length > 2 ? "," : ""}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

function systemEventCorruption(): fc.Arbitrary<Corruption> {
  const base = { instanceId: "target", text: "valid" };
  return fc.oneof(
    fc.tuple(fc.constantFrom(...STRING_FIELDS), badString).map(([f, v]) => ({ path: `/${f}`, params: withKey(base, f, v) })),
    fc.tuple(fc.constantFrom("roles", "scopes"), badList).map(([f, v]) => ({ path: `/${f}`, params: withKey(base, f, v) })),
    badCount.map((v) => ({ path: "/lastInputSeconds", params: withKey(base, "lastInputSeconds", v) })),
    unknownKey
      .filter((k) => !(STRING_FIELDS as readonly string[]).includes(k) && !["roles", "scopes", "lastInputSeconds", "tags"].includes(k))
      .map((k) => ({ path: `/${segment(k)}`, params: withKey(base, k, 1) })),
  );
}

function connectCorruption(binding: (typeof BINDINGS)[number]): fc.Arbitrary<Corruption> {
  const base = connectParamsOf(binding, "newcomer") as Record<string, unknown> & { client: Record<string, unknown> };
  const inClient = (key: string, value: unknown) => JSON.stringify({ ...base, client: JSON.parse(withKey(base.client, key, value)) as unknown });
  return fc.oneof(
    fc.tuple(fc.constantFrom(...CLIENT_FIELDS), badString).map(([f, v]) => ({ path: `/client/${f}`, params: inClient(f, v) })),
    unknownKey.filter((k) => !(CLIENT_FIELDS as readonly string[]).includes(k)).map((k) => ({ path: `/client/${segment(k)}`, params: inClient(k, 1) })),
    badList.map((v) => ({ path: "/scopes", params: withKey(base, "scopes", v) })),
    fc.constantFrom<unknown>(null, "admin", 1, "").map((v) => ({ path: "/role", params: withKey(base, "role", v) })),
  );
}

const rowsOf = (answer: string) => {
  const frame = JSON.parse(answer) as { result?: unknown; payload?: unknown };
  return ((frame.result ?? frame.payload) as Array<Record<string, unknown>>).filter((row) => row.reason !== "self").map(({ ts: _ts, ...row }) => row);
};

describe.each(BINDINGS)("%s: one wrong field, named", (binding) => {
  it("system-event and connect: an error naming the field's path; the list unchanged; the gateway answers", { timeout: scaled(60_000) }, async () => {
    const gw = await start({ logger: () => {}, rateLimit: { burst: 100_000, perSecond: 100_000 } });
    const watcher = keep(await Wire.connected(gw, binding, "watcher"));
    const writer = keep(await Wire.connected(gw, binding, "writer"));
    expect(await writer.answerTo(writer.request("system-event", { instanceId: "target", text: "before", roles: ["r"] }))).toContain('"ok":true');
    const before = rowsOf(await watcher.answerTo(watcher.request("system-presence")));
    let id = 1_000;
    const deadline = Date.now() + 30_000;
    const named = (answer: string, path: string) => {
      const error = (JSON.parse(answer) as { error?: { message?: string } }).error;
      expect(error, answer.slice(0, 300)).toBeDefined();
      // jsonrpc: "/host must be string", data.errors[].path "/host"; openclaw: "at /host: must be string".
      expect(answer.includes(`"path":${JSON.stringify(path)}`) || error!.message!.includes(path), `${path} in ${answer.slice(0, 400)}`).toBe(true);
    };
    await fc.assert(
      fc.asyncProperty(fc.oneof(systemEventCorruption().map((c) => ({ ...c, method: "system-event" })), connectCorruption(binding).map((c) => ({ ...c, method: "connect" }))), async ({ method, path, params }) => {
        if (Date.now() > deadline) return; // bounded in time as well as in runs
        const frame = requestFrame(binding, ++id, method, "PARAMS").replace('"PARAMS"', () => params); // no $& patterns
        if (method === "connect") {
          const fresh = keep(await Wire.open(gw, binding));
          named(await fresh.answerTo(frame), path);
          fresh.terminate();
        } else {
          named(await writer.answerTo(frame), path);
        }
      }),
      { numRuns: 150 },
    );
    expect(rowsOf(await watcher.answerTo(watcher.request("system-presence")))).toEqual(before);
    const probe = keep(await Wire.connected(gw, binding, "probe"));
    expect(await probe.answerTo(probe.request("system-presence"))).toContain("probe");
  });
});
