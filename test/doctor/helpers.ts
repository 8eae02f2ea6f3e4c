/** The doctor against real reference gateways on 127.0.0.1:0, with clients made by the SDK. */
import { afterEach } from "vitest";
import { analyze, readGateway, type DoctorReport, type ReadOptions } from "../../src/doctor/index.js";
import { createPresenceClient, type PresenceClient } from "../../src/index.js";
import type { Gateway, GatewayOptions } from "../../src/server/index.js";
import { startGateway } from "../server/helpers.js";

const clients: PresenceClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A gateway in test mode (test.clock.advance) with a rate limit high enough to fill the list quickly. */
export function gateway(options: GatewayOptions = {}): Promise<Gateway> {
  return startGateway({ testClock: true, rateLimit: { burst: 1000, perSecond: 1000 }, ...options });
}

export interface App {
  instanceId?: string;
  host?: string;
  mode?: string;
  platform?: string;
  deviceFamily?: string;
  version?: string;
  role?: "operator" | "node";
  token?: string;
}

/** A connected SDK client; `host` becomes its displayName (the row's host, SPEC P2). */
export async function app(gw: Gateway, a: App = {}): Promise<PresenceClient> {
  const client = createPresenceClient({
    url: gw.url,
    ...(a.instanceId ? { instanceId: a.instanceId } : {}),
    client: {
      id: "test-app",
      displayName: a.host ?? "Anna's MacBook",
      version: a.version ?? "1.4.0",
      platform: a.platform ?? "darwin 24.1",
      deviceFamily: a.deviceFamily ?? "Mac",
      mode: a.mode ?? "ui",
    },
    ...(a.role ? { role: a.role } : {}),
    ...(a.token ? { token: a.token } : {}),
    reconnect: false,
  });
  clients.push(client);
  await client.connect();
  return client;
}

/** Moves the gateway's test clock; returns the new gateway time. */
export async function advance(client: PresenceClient, ms: number): Promise<number> {
  return (await client.testClockAdvance({ ms })).now;
}

/** Reads the gateway as `gateway-presence doctor` does and analyses it. */
export async function doctor(gw: Gateway, options: Partial<ReadOptions> & { during?: () => Promise<void> } = {}): Promise<DoctorReport> {
  const { during, ...read } = options;
  const reading = readGateway({ url: gw.url, ...read });
  if (during) {
    // Give the doctor time to list before the change it should see being pushed (or not).
    await new Promise((resolve) => setTimeout(resolve, 100));
    await during();
  }
  return analyze(await reading);
}

export const ids = (report: DoctorReport) => report.findings.map((f) => f.id);

/** Rows beyond the connected apps, written by beacons carrying their instanceId (SPEC K2) from one cli connection. */
export async function beaconRows(writer: PresenceClient, from: number, count: number, extra: Record<string, unknown> = {}): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const n = from + i;
      return writer.systemEvent({
        instanceId: `device-${n}`,
        host: `host-${n}`,
        ip: `10.${(n >> 8) & 255}.${n & 255}.${(n % 200) + 1}`,
        version: `2.${n % 7}.0`,
        platform: n % 2 ? "linux 6.8" : "windows 11",
        mode: n % 3 ? "backend" : "node",
        lastInputSeconds: n % 90,
        reason: "periodic",
        ...extra,
      });
    }),
  );
}
