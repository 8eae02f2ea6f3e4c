/**
 * Raw sockets for the hostile-input tests (scripts/hardening/wire.ts, shared with `npm run hostile`),
 * and a gateway with both bindings closed after each test.
 */
import { afterEach } from "vitest";
import { createGateway, type Gateway, type GatewayOptions } from "../../../src/server/index.js";
import { BINDINGS, type Wire } from "../../../scripts/hardening/wire.js";

export { BINDINGS, connectParamsOf, requestFrame, urlOf, Wire } from "../../../scripts/hardening/wire.js";

/** A gateway with one listener per binding on 127.0.0.1, free ports. */
export function startBoth(options: Omit<GatewayOptions, "host" | "port" | "binding" | "listeners"> = {}): Promise<Gateway> {
  return createGateway({ ...options, listeners: BINDINGS.map((binding) => ({ binding, host: "127.0.0.1", port: 0 })) });
}

/**
 * The gateways and sockets of a test file, closed after each test (call once at the file's top
 * level): `start` is startBoth, `keep` registers a socket.
 */
export function closedAfterEach(): { start: typeof startBoth; keep: (wire: Wire) => Wire } {
  const gateways: Gateway[] = [];
  const wires: Wire[] = [];
  afterEach(async () => {
    for (const w of wires.splice(0)) w.terminate();
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });
  return {
    start: async (options) => {
      const gw = await startBoth(options);
      gateways.push(gw);
      return gw;
    },
    keep: (wire) => (wires.push(wire), wire),
  };
}

