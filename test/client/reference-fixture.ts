/**
 * Reference gateways on ephemeral loopback ports and SDK clients for one describe block, all closed
 * after each test: `start(options)` and `client(url, options)` with the block's defaults.
 */
import { afterEach } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceClientOptions } from "../../src/index.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server/index.js";
import { withoutShedding } from "../support/timing.js";

export function useReferenceGateways(gatewayDefaults: GatewayOptions, clientDefaults: Omit<PresenceClientOptions, "url">) {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });
  return {
    async start(options: GatewayOptions = {}): Promise<Gateway> {
      const gw = await createGateway(withoutShedding({ port: 0, ...gatewayDefaults, ...options }));
      gateways.push(gw);
      return gw;
    },
    client(url: string, options: Partial<PresenceClientOptions> = {}): PresenceClient {
      const c = createPresenceClient({ ...clientDefaults, url, ...options });
      clients.push(c);
      return c;
    },
    /** A gateway closed by the test itself (a restart): not closed again. */
    forget(gw: Gateway): void {
      gateways.splice(gateways.indexOf(gw), 1);
    },
  };
}
