// A decoded error keeps the error as the gateway sent it (WireError.sent); messages and reports quote
// that, never a code the gateway did not send. A binding written before `sent` existed (it does not
// set it) is read through sentError: its decoded fields stand for what was sent.
import { describe, expect, it } from "vitest";
import { describeError, reportedError } from "../../src/conformance/checks/expect.js";
import { jsonRpcBinding, openClawBinding } from "../../src/index.js";
import { GatewayError } from "../../src/client/errors.js";
import { errorCodeText, FrameDecodeError, sentError, type WireError } from "../../src/transport/frames.js";

function decodedError(binding: typeof jsonRpcBinding, text: string): WireError {
  const [frame] = binding.decode(text);
  if (frame?.kind !== "error") throw new Error(`not an error frame: ${frame?.kind}`);
  return frame.error;
}

describe("WireError.sent", () => {
  it("is the error object as sent, over both bindings", () => {
    const rpc = decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"boom"}}');
    expect(rpc.sent).toEqual({ code: -32603, message: "boom" });
    expect(errorCodeText(rpc)).toBe("-32603 (INTERNAL_ERROR in SPEC §10)");
    const oc = decodedError(openClawBinding, '{"type":"res","id":"1","ok":false,"error":{"code":"INVALID_REQUEST","message":"unauthorized role: node"}}');
    expect(oc.sent).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    expect(errorCodeText(oc)).toBe("INVALID_REQUEST (FORBIDDEN in SPEC §10)");
    expect(reportedError(oc)).toEqual({ error: { code: "INVALID_REQUEST", message: "unauthorized role: node" }, harnessReading: { name: "FORBIDDEN" } });
  });

  it("falls back to the decoded fields for a binding that does not set it", () => {
    const bare: WireError = { name: "INTERNAL_ERROR", code: -32603, message: "boom" };
    expect(sentError(bare)).toEqual({ code: -32603, message: "boom" });
    expect(errorCodeText(bare)).toBe("-32603 (INTERNAL_ERROR in SPEC §10)");
    expect(reportedError(bare)).toEqual({ error: { code: -32603, message: "boom" }, harnessReading: { name: "INTERNAL_ERROR" } });
    const named: WireError = { name: "FORBIDDEN", code: -32003, message: "no", data: { code: "FORBIDDEN", missingScope: "operator.read" } };
    expect(errorCodeText(named)).toBe("FORBIDDEN");
    expect(reportedError(named)).toEqual({ error: { code: -32003, message: "no", data: { code: "FORBIDDEN", missingScope: "operator.read" } }, harnessReading: { name: "FORBIDDEN" } });
  });

  it("falls back to data.native for a binding that kept the native error there (the openclaw convention before `sent`)", () => {
    const native = { code: "UNAVAILABLE", message: "gateway starting", retryable: true };
    const old: WireError = { name: "INTERNAL_ERROR", message: native.message, data: { code: "INTERNAL_ERROR", native } };
    expect(sentError(old)).toBe(native);
    // Not `INTERNAL_ERROR`, the mapped name in data.code, which the gateway never sent.
    expect(errorCodeText(old)).toBe("UNAVAILABLE (INTERNAL_ERROR in SPEC §10)");
    expect(new GatewayError(old, "connect").message).toBe("connect: UNAVAILABLE (INTERNAL_ERROR in SPEC §10): gateway starting");
    expect(reportedError(old)).toEqual({ error: native, harnessReading: { name: "INTERNAL_ERROR" } });
  });

  it("a JSON-RPC error without a code is read as '(no code)', not 'undefined'", () => {
    const none = decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"message":"boom"}}');
    expect(none.name).toBe("(no code)");
    expect(new GatewayError(none, "system-presence").message).toBe("system-presence: (no code): boom");
    // A string code (not JSON-RPC, but sent) is its own name, as sent.
    expect(errorCodeText(decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":"BUSY","message":"x"}}'))).toBe("BUSY");
  });
});

describe("WireError.code holds numbers only", () => {
  it("a string code stays in `sent` and the name, not in `code` (typed number)", () => {
    const named = decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":"BUSY","message":"x","data":{"code":"FORBIDDEN"}}}');
    expect(named).toMatchObject({ name: "FORBIDDEN", sent: { code: "BUSY" } });
    expect(named.code).toBeUndefined();
    // The code sent stays in the text beside the data.code name, quoted as the string it was.
    expect(describeError(named)).toBe('FORBIDDEN ("BUSY"): x');
    const bare = decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":"-32601","message":"x"}}');
    expect([bare.name, bare.code, new GatewayError(bare).rpcCode]).toEqual(["-32601", undefined, undefined]);
  });

  it("a number is kept as sent, integer or not (the harness reports the non-integer)", () => {
    expect(decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":-32601.5,"message":"x"}}')).toMatchObject({ name: "-32601.5", code: -32601.5 });
  });

  it("an error that is not an object is undecodable, named so (`null` used to throw a TypeError)", () => {
    const text = '{"jsonrpc":"2.0","id":1,"error":null}';
    expect(() => jsonRpcBinding.decode(text)).toThrow(new FrameDecodeError('"error" must be an object (JSON-RPC 2.0 §5.1), got null', text));
    expect(() => jsonRpcBinding.decode('{"jsonrpc":"2.0","id":1,"error":"boom"}')).toThrow(/"error" must be an object \(JSON-RPC 2\.0 §5\.1\), got a string/);
  });
});

describe("an empty code reads as one, never as nothing", () => {
  it("openclaw: `(empty code)`, or `\"\"` before the name read from the message", () => {
    const empty = decodedError(openClawBinding, '{"type":"res","id":"1","ok":false,"error":{"code":"","message":"boom"}}');
    expect(empty.name).toBe("(empty code)");
    expect(new GatewayError(empty, "m").message).toBe("m: (empty code): boom");
    const mapped = decodedError(openClawBinding, '{"type":"res","id":"1","ok":false,"error":{"code":"","message":"unknown method: x"}}');
    expect(new GatewayError(mapped, "m").message).toBe('m: "" (METHOD_NOT_FOUND in SPEC §10): unknown method: x');
    expect(describeError(mapped)).toBe('"" (METHOD_NOT_FOUND in SPEC §10): unknown method: x');
  });

  it('jsonrpc: data.code "" names nothing: the name is read from the number, as without data.code', () => {
    const error = decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":-32003,"message":"no","data":{"code":""}}}');
    expect(error).toMatchObject({ name: "FORBIDDEN", code: -32003, data: { code: "" } });
    expect(describeError(error)).toBe("-32003 (FORBIDDEN in SPEC §10): no");
    const emptyCode = decodedError(jsonRpcBinding, '{"jsonrpc":"2.0","id":1,"error":{"code":"","message":"no"}}');
    expect([emptyCode.name, describeError(emptyCode)]).toEqual(["(empty code)", "(empty code): no"]);
  });

  it("a code named like an Object property is that code, not Object.prototype's member", () => {
    const error = decodedError(openClawBinding, '{"type":"res","id":"1","ok":false,"error":{"code":"constructor","message":"boom"}}');
    expect(error.name).toBe("constructor");
    expect(new GatewayError(error, "m").message).toBe("m: constructor: boom");
  });
});
