// Compile-time checks (npm test runs tsc over test/ first); the runtime part only confirms the
// generated constants agree with the maps.
import { describe, expectTypeOf, expect, it } from "vitest";
import type { PresenceMethods } from "../../src/generated/client.js";
import { EVENT_NAMES, type EventMap } from "../../src/generated/events.js";
import { METHOD_NAMES, METHOD_SCHEMAS, type MethodMap } from "../../src/generated/methods.js";
import type { PresenceHandlers } from "../../src/generated/server.js";
import type { SchemaTypes } from "../../src/generated/validate.js";
import type {
  ConnectParams,
  HelloOk,
  PresenceEntry,
  PresenceDeltaEvent,
  PresenceEvent,
  PresenceResyncParams,
  PresenceResyncResult,
  SystemEventParams,
  SystemEventResult,
  SystemPresenceParams,
  SystemPresenceResult,
  TestClockAdvanceParams,
  TestClockAdvanceResult,
  TickEvent,
} from "../../src/protocol/index.js";

describe("generated maps match the declarations", () => {
  it("method map", () => {
    expectTypeOf<MethodMap["connect"]>().toEqualTypeOf<{ params: ConnectParams; result: HelloOk }>();
    expectTypeOf<MethodMap["system-event"]>().toEqualTypeOf<{ params: SystemEventParams; result: SystemEventResult }>();
    expectTypeOf<MethodMap["system-presence"]>().toEqualTypeOf<{ params: SystemPresenceParams; result: SystemPresenceResult }>();
    expectTypeOf<MethodMap["presence.resync"]>().toEqualTypeOf<{ params: PresenceResyncParams; result: PresenceResyncResult }>();
    expectTypeOf<MethodMap["test.clock.advance"]>().toEqualTypeOf<{ params: TestClockAdvanceParams; result: TestClockAdvanceResult }>();
    expectTypeOf<keyof MethodMap>().toEqualTypeOf<(typeof METHOD_NAMES)[number]>();
    expect(Object.keys(METHOD_SCHEMAS)).toEqual([...METHOD_NAMES]);
  });

  it("event map", () => {
    expectTypeOf<EventMap>().toEqualTypeOf<{ presence: PresenceEvent; "presence.delta": PresenceDeltaEvent; tick: TickEvent }>();
    expectTypeOf<keyof EventMap>().toEqualTypeOf<(typeof EVENT_NAMES)[number]>();
    expect([...EVENT_NAMES]).toEqual(["presence", "presence.delta", "tick"]);
  });

  it("client surface", () => {
    expectTypeOf<PresenceMethods["systemPresence"]>().returns.toEqualTypeOf<Promise<PresenceEntry[]>>();
    expectTypeOf<PresenceMethods["systemEvent"]>().parameter(0).toEqualTypeOf<SystemEventParams | undefined>();
    expectTypeOf<PresenceMethods["connect"]>().returns.toEqualTypeOf<Promise<HelloOk>>();
  });

  it("methods that take no params refuse call options in the params position", () => {
    // Their empty params interfaces accepted any object: systemPresence({ timeoutMs: 500 }) compiled, and
    // the gateway answered INVALID_PARAMS "/timeoutMs is not allowed".
    const methods = {} as PresenceMethods;
    const calls = () => [
      // @ts-expect-error call options go second
      methods.systemPresence({ timeoutMs: 500 }),
      // @ts-expect-error call options go second
      methods.presenceResync({ signal: new AbortController().signal }),
      methods.systemPresence(),
      methods.systemPresence({}),
      methods.systemPresence(undefined, { timeoutMs: 500 }),
    ];
    expect(typeof calls).toBe("function");
  });

  it("server handlers", () => {
    type H = PresenceHandlers<{ connId: string }>;
    expectTypeOf<H["system-event"]>().parameters.toEqualTypeOf<[SystemEventParams, { connId: string }]>();
    expectTypeOf<ReturnType<H["system-presence"]>>().toEqualTypeOf<SystemPresenceResult | Promise<SystemPresenceResult>>();
  });

  it("validator types", () => {
    expectTypeOf<SchemaTypes["PresenceEntry"]>().toEqualTypeOf<PresenceEntry>();
    expectTypeOf<SchemaTypes["ConnectParams"]>().toEqualTypeOf<ConnectParams>();
  });
});
