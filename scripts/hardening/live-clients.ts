/**
 * Live clients in a process of their own (crowd-flood.ts forks it): connected before a flood, each
 * calls `system-presence` one after the other and times every answer, so what they measure is the
 * gateway's delay and not the flooding process's. Messages: start {url, count, addresses} -> ready
 * {refused: the setup clients the gateway refused (a small connection-rate bucket, a limit), each
 * counted and left out, never retried};
 * stop -> done {ms (every round trip), failures}; then the process exits. Bounded: every call times
 * out after 10 s, and the parent stops it. `residents` more clients connect first, each with its own
 * instanceId, and stay idle: they fill the list (its rows are what every hello-ok carries).
 */
import { connectParams, RawClient, type UpgradeRefused } from "./raw-client.js";

/** Why a setup client did not get in: the error's message (with an HTTP refusal's body) and data. */
export interface Refused {
  message: string;
  data?: Record<string, unknown>;
}

type Request = { type: "start"; url: string; count: number; residents: number; addresses: string[] } | { type: "stop" };

const CALL_TIMEOUT_MS = 10_000;
let running = true;
const ms: number[] = [];
let failures = 0;
let loops: Array<Promise<void>> = [];
const clients: RawClient[] = [];

async function callTimed(client: RawClient): Promise<void> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CALL_TIMEOUT_MS)));
  const answer = await Promise.race([client.call("system-presence"), timeout]);
  clearTimeout(timer);
  if (answer?.result === undefined) failures++;
  else ms.push(performance.now() - started);
}

// A parent gone without a word (killed, crashed, or its stdout a pipe that closed, as in `| head`)
// closes this IPC channel: exit with it rather than keep the live clients running with no one to stop them.
process.on("disconnect", () => process.exit(0));

/**
 * Opens a client from `localAddress` and sends its `connect`: the client, or why the gateway refused
 * it (the upgrade's HTTP error with its body, e.g. "Unexpected server response: 503 too many new
 * connections to the gateway ...", or the connect's error), counted in `refused` by the caller.
 */
async function connected(url: string, localAddress: string, params: ReturnType<typeof connectParams>): Promise<RawClient | Refused> {
  let client: RawClient;
  try {
    client = await RawClient.open(url, { localAddress });
  } catch (error) {
    const refused = error as Partial<UpgradeRefused>;
    return { message: `${refused.message ?? String(error)}${refused.body ? ` ${refused.body}` : ""}` };
  }
  const hello = await client.call("connect", params);
  if (hello.result !== undefined) return client;
  client.terminate();
  return { message: hello.error?.message ?? "no answer", data: hello.error?.data };
}

/** Setup clients (idle residents, live clients) the gateway refused, with the error each got. */
const refused: Array<{ who: "resident" | "live" } & Refused> = [];

process.on("message", async (request: Request) => {
  if (request.type === "start") {
    for (let i = 0; i < request.residents; i++) {
      const params = connectParams({ instanceId: `resident-${i}`, id: "resident", displayName: `resident ${i} of the crowd flood` });
      const client = await connected(request.url, `127.0.0.${7 + (i % 3)}`, params);
      if (client instanceof RawClient) clients.push(client);
      else refused.push({ who: "resident", ...client });
    }
    const live: RawClient[] = [];
    for (let i = 0; i < request.count; i++) {
      const client = await connected(request.url, request.addresses[i % request.addresses.length]!, connectParams({ instanceId: `live-${i}`, id: `live-${i}` }));
      if (client instanceof RawClient) live.push(client);
      else refused.push({ who: "live", ...client });
    }
    clients.push(...live);
    loops = live.map(async (client) => {
      while (running && client.isOpen) {
        await callTimed(client);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (running) failures++; // closed under it
    });
    process.send?.({ type: "ready", refused });
  } else {
    running = false;
    await Promise.all(loops);
    for (const client of clients) client.terminate();
    process.send?.({ type: "done", ms, failures });
    process.disconnect?.();
  }
});
