// Numeric request ids whose numeral JSON.parse changes (1e-400 -> 0, 1.00000000000000001 -> 1): the
// numeral is read back from the frame's text and refused unless it denotes exactly the parsed
// number (src/transport/id-numeral.ts). Unit and property tests; the gateway's answers are tested
// in test/server/bindings/request-ids.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameDecodeError, jsonRpcBinding, openClawBinding } from "../../src/index.js";
import { hasLossyIdNumeral } from "../../src/record/recording.js";
import { idNumeralProblem, idNumerals, numericIdNumeral } from "../../src/transport/id-numeral.js";

const problemOf = (numeral: string) => idNumeralProblem(JSON.parse(numeral) as number, numeral);

describe("idNumeralProblem", () => {
  it.each(["1e-400", "1.00000000000000001", "0.1e-99999", "1e-99999999999999999999", "-2.0000000000000000001", "0.30000000000000000001", "123456789012345678.5e-2"])(
    "refuses %s, naming the number JSON reads",
    (numeral) => {
      expect(problemOf(numeral)).toMatch(new RegExp(`is written ${numeral.slice(0, 12).replace(/[.+]/g, "\\$&")}.*which JSON reads as ${String(JSON.parse(numeral))}:`));
    },
  );

  it.each(["0", "7", "-42", "123456789012345", "1.5", "1.50", "15e-1", "0.15E1", "1.0", "1e0", "-2.5e+0", "1e-7", "0.1", "0.30000000000000004", "5e-324", "1.7976931348623157e308", "0e99999999999999999999", "0.000", "1.000000000000000000000000000000"])(
    "keeps %s, which denotes exactly the number JSON reads",
    (numeral) => {
      expect(problemOf(numeral)).toBeUndefined();
    },
  );

  it("property: the numerals JavaScript writes for a double pass; one more significant digit past its precision does not", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)), (x) => {
        for (const numeral of [String(x), x.toExponential(), x.toExponential().toUpperCase()]) expect(idNumeralProblem(x, numeral), numeral).toBeUndefined();
        const [mantissa, exponent] = x.toExponential().split("e");
        const longer = `${mantissa!.includes(".") ? mantissa : `${mantissa}.`}00000000000000000001e${exponent}`;
        if (JSON.parse(longer) === x) expect(idNumeralProblem(x, longer), longer).toMatch(/which JSON reads as/);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("idNumerals", () => {
  it("finds the request's own id: not a nested one, the last of repeated keys, escaped keys, and one per batch entry", () => {
    expect(idNumerals(`{"jsonrpc":"2.0","id":1e-400,"method":"m"}`)).toEqual(["1e-400"]);
    expect(idNumerals(` { "id" : 12 , "method":"m"}`)).toEqual(["12"]);
    expect(idNumerals(`{"params":{"client":{"id":1}},"id":1.00000000000000001}`)).toEqual(["1.00000000000000001"]);
    expect(idNumerals(`{"id":1.00000000000000001,"params":{"id":1}}`)).toEqual(["1.00000000000000001"]);
    expect(idNumerals(`{"id":1,"method":"m","id":1e-400}`)).toEqual(["1e-400"]);
    expect(idNumerals(`{"\\u0069d":1e-400,"text":"a \\"id\\":1 b"}`)).toEqual(["1e-400"]);
    expect(idNumerals(`{"x\\"id":1,"id":2.50}`)).toEqual(["2.50"]);
    expect(idNumerals(`{"id":"7"}`)).toEqual([undefined]);
    expect(idNumerals(`[{"id":1},5,{"a":[{"id":3}],"id":1e-400},{"id":"x"},{}]`)).toEqual(["1", undefined, "1e-400", undefined, undefined]);
    expect(idNumerals(`[]`)).toEqual([]);
    expect(idNumerals(`{"a":${"[".repeat(20_000)}${"]".repeat(20_000)},"id":1e-400}`)).toEqual(["1e-400"]);
  });
});

describe("numericIdNumeral (a request object whose id JSON.parse read as a number)", () => {
  it("finds the request's id in a connect-like frame whose client.id repeats the key", () => {
    const connect = (id: string, clientId: string) => `{"jsonrpc":"2.0","id":${id},"method":"connect","params":{"client":{"id":${clientId},"mode":"ui"},"auth":{}}}`;
    expect(numericIdNumeral(connect("1e-400", '"web"'))).toBe("1e-400");
    expect(numericIdNumeral(connect("7", '"web"'))).toBe("7");
    // Two numeric ids, an id after params, a repeated top-level key, escapes: the walk decides.
    expect(numericIdNumeral(connect("1.00000000000000001", "3"))).toBe("1.00000000000000001");
    expect(numericIdNumeral(`{"params":{"client":{"id":1}},"id":1.00000000000000001}`)).toBe("1.00000000000000001");
    expect(numericIdNumeral(`{"id":1,"method":"m","id":1e-400}`)).toBe("1e-400");
    expect(numericIdNumeral(`{"method":"id","x":["id"],"id" : 2.50}`)).toBe("2.50");
    expect(numericIdNumeral(`{"\\u0069d":1e-400,"text":"a \\"id\\":1 b"}`)).toBe("1e-400");
  });

  // Objects with a numeric top-level id and "id" keys (numeric or not) anywhere inside, keys repeated.
  const numeral = fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constantFrom("1e-400", "1.00000000000000001", "1.50", "-0"));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, numeral, fc.constantFrom('"id"', '"x"', "true", "null", '"a\\"id\\":1"'), tie("object"), fc.array(tie("value"), { maxLength: 3 }).map((a) => `[${a.join(",")}]`)),
    object: fc.array(fc.tuple(fc.constantFrom('"id"', '"client"', '"params"', '"\\u0069d"'), tie("value")), { maxLength: 4 }).map((members) => `{${members.map(([k, v]) => `${k} : ${v}`).join(",")}}`),
  }));
  it("property: the same numeral as the full walk whenever the request's id parses to a number", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('"id"', '"params"', '"method"'), value as fc.Arbitrary<string>), { maxLength: 4 }), numeral, fc.nat(4), (members, id, at) => {
        const all = [...members.map(([k, v]) => `${k}:${v}`)];
        all.splice(Math.min(at, all.length), 0, `"id":${id}`);
        const text = `{${all.join(",")}}`;
        const parsed = JSON.parse(text) as { id: unknown };
        if (typeof parsed.id !== "number") return;
        expect(numericIdNumeral(text), text).toBe(idNumerals(text)[0]);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe.each([
  ["jsonrpc", jsonRpcBinding, (id: string) => `{"jsonrpc":"2.0","id":${id},"result":[]}`],
  ["openclaw", openClawBinding, (id: string) => `{"type":"res","id":${id},"ok":true,"payload":{"id":1}}`],
] as const)("the %s client binding", (_name, binding, result) => {
  it("refuses an answer whose id numeral JSON.parse changed, and keeps one written otherwise but exactly", () => {
    for (const id of ["1e-400", "1.00000000000000001"]) {
      expect(() => binding.decode(result(id)), id).toThrow(FrameDecodeError);
      expect(() => binding.decode(result(id))).toThrow(/id (0|1) is written .* which JSON reads as/);
    }
    expect(binding.decode(result("1.0"))[0]).toMatchObject({ kind: "result", id: 1 });
  });
});

it("the recorder keeps a frame verbatim when its id numeral would be changed by parsing", () => {
  expect(hasLossyIdNumeral(JSON.parse(`{"id":1e-400}`), `{"id":1e-400}`)).toBe(true);
  expect(hasLossyIdNumeral(JSON.parse(`[{"id":"a"},{"id":1.00000000000000001}]`), `[{"id":"a"},{"id":1.00000000000000001}]`)).toBe(true);
  expect(hasLossyIdNumeral(JSON.parse(`{"id":1.50,"params":{"id":1e-400}}`), `{"id":1.50,"params":{"id":1e-400}}`)).toBe(false);
});
