/**
 * Live clients in a process of their own (crowd-flood.ts forks it): connected before a flood, each
 * calls `system-presence` one after the other and times every answer, so what they measure is the
 * gateway's delay and not the flooding process's. Messages: start {url, count, addresses} -> ready;
 * stop -> done {ms (every round trip), failures}; then the process exits. Bounded: every call times
 * out after 10 s, and the parent stops it. `residents` more clients connect first, each with its own
 * instanceId, and stay idle: they fill the list (its rows are what every hello-ok carries).
 */
import { connectParams, RawClient } from "./raw-client.js";

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

process.on("message", async (request: Request) => {
  if (request.type === "start") {
    for (let i = 0; i < request.residents; i++) {
      const client = await RawClient.open(request.url, { localAddress: `127.0.0.${7 + (i % 3)}` });
      const hello = await client.call("connect", connectParams({ instanceId: `resident-${i}`, id: "resident", displayName: `resident ${i} of the crowd flood` }));
      if (hello.result === undefined) throw new Error(`resident ${i} could not connect: ${JSON.stringify(hello.error)}`);
      clients.push(client);
    }
    const live: RawClient[] = [];
    for (let i = 0; i < request.count; i++) {
      const client = await RawClient.open(request.url, { localAddress: request.addresses[i % request.addresses.length] });
      const hello = await client.call("connect", connectParams({ instanceId: `live-${i}`, id: `live-${i}` }));
      if (hello.result === undefined) throw new Error(`live client ${i} could not connect: ${JSON.stringify(hello.error)}`);
      live.push(client);
    }
    clients.push(...live);
    loops = live.map(async (client) => {
      while (running && client.isOpen) {
        await callTimed(client);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (running) failures++; // closed under it
    });
    process.send?.({ type: "ready" });
  } else {
    running = false;
    await Promise.all(loops);
    for (const client of clients) client.terminate();
    process.send?.({ type: "done", ms, failures });
    process.disconnect?.();
  }
});
