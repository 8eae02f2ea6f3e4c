/** The doctor against real reference gateways on 127.0.0.1:0, with clients made by the SDK. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { createNodeOpenClawBinding } from "../../src/client/node.js";
import { analyze, readGateway, type DoctorReport, type ReadOptions } from "../../src/doctor/index.js";
import { createPresenceClient, type PresenceClient } from "../../src/index.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server/index.js";
import type { BindingName } from "../../src/transport/binding.js";
import { withoutShedding } from "../support/timing.js";

export const BINDINGS: readonly BindingName[] = ["jsonrpc", "openclaw"];

/** Where the doctor's openclaw device identity lives in these tests (as the CLI keeps one in the config dir). */
const identityDir = mkdtempSync(join(tmpdir(), "doctor-identity-"));
afterAll(() => rmSync(identityDir, { recursive: true, force: true }));

const clients: PresenceClient[] = [];
const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(gateways.splice(0).map((gw) => gw.close()));
});

/**
 * A gateway in test mode (test.clock.advance) with a rate limit high enough to fill the list
 * quickly, listening with both bindings over one store: jsonrpc first (gw.url, for the apps), then openclaw.
 */
export async function gateway(options: GatewayOptions = {}): Promise<Gateway> {
  const gw = await createGateway(
    withoutShedding({
      host: "127.0.0.1",
      testClock: true,
      rateLimit: { burst: 1000, perSecond: 1000 },
      listeners: [
        { binding: "jsonrpc", port: 0 },
        { binding: "openclaw", port: 0 },
      ],
      ...options,
    }),
  );
  gateways.push(gw);
  return gw;
}

export function urlOf(gw: Gateway, binding: BindingName): string {
  return gw.listeners.find((l) => l.binding === binding)!.url;
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

/**
 * Reads the gateway as `gateway-presence doctor --binding B` does (openclaw: a persisted signed
 * device identity) and analyses it.
 */
export async function doctor(
  gw: Gateway,
  options: Omit<Partial<ReadOptions>, "binding" | "onWatch"> & { binding?: BindingName; during?: () => Promise<void> } = {},
): Promise<DoctorReport> {
  const { during, binding = "jsonrpc", ...read } = options;
  return analyze(
    await readGateway({
      url: urlOf(gw, binding),
      binding: doctorBinding(binding),
      // The change is made once the doctor has its first listing (so it must come as a push), and
      // the watch runs from when it is done, however slow the machine.
      ...(during ? { onWatch: during } : {}),
      ...read,
    }),
  );
}

/** The doctor's binding as the CLI makes it (openclaw: a persisted signed device identity). */
export function doctorBinding(binding: BindingName) {
  return binding === "openclaw" ? createNodeOpenClawBinding({ identityPath: join(identityDir, "device-identity.json") }) : binding;
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
