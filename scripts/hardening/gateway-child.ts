/**
 * A reference gateway in a child process, driven over IPC by gateway-process.ts, so fuzz, flood and
 * soak runs measure the gateway's own memory (RSS, heap after a full GC) and nothing of their clients.
 * Started with --expose-gc. Messages: start {options} -> started {url, listeners}; memory -> memory
 * {...}; metrics -> metrics {metrics} (no GC: cheap enough to poll during a run); close -> closed (then
 * the process exits).
 */
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server/index.js";

type Request = { type: "start"; options: GatewayOptions } | { type: "memory"; gc?: boolean } | { type: "metrics" } | { type: "close" };

/** kB fields of /proc/self/smaps_rollup (Linux) as bytes: Rss, Anonymous, ...; {} elsewhere. */
function smapsRollup(): Record<string, number> {
  try {
    const text = readFileSync("/proc/self/smaps_rollup", "utf8");
    return Object.fromEntries([...text.matchAll(/^(\w+):\s+(\d+) kB$/gm)].map((m) => [m[1]!, Number(m[2]) * 1024]));
  } catch {
    return {};
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
let gateway: Gateway | undefined;
let logLines = 0;
const lastLines: string[] = [];
/** Lines the gateway logs as `error ...` (a failed handler, a failed frame): a fuzz or soak run wants none. */
const errorLines: string[] = [];

/**
 * Bytes written to sockets and not yet taken by the kernel (each socket's writableLength), summed,
 * with how many sockets hold any: what of `arrayBuffers` is queued output.
 */
function socketQueues(): { bytes: number; sockets: number } {
  let bytes = 0;
  let sockets = 0;
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  for (const handle of handles) {
    if (!(handle instanceof Socket) || handle.writableLength === 0) continue;
    bytes += handle.writableLength;
    sockets++;
  }
  return { bytes, sockets };
}

function reply(message: unknown): void {
  process.send?.(message);
}

// A parent gone without a word (killed, crashed, or its stdout a pipe that closed, as in `| head`)
// closes this IPC channel: exit with it rather than keep a listening gateway running with no one to stop it.
process.on("disconnect", () => process.exit(0));

process.on("message", async (request: Request) => {
  if (request.type === "start") {
    gateway = await createGateway({
      ...request.options,
      logger: (line) => {
        logLines++;
        if (line.startsWith("error") && errorLines.length < 50) errorLines.push(line);
        lastLines.push(line);
        if (lastLines.length > 20) lastLines.shift();
      },
    });
    reply({ type: "started", url: gateway.url, listeners: gateway.listeners });
  } else if (request.type === "memory") {
    if (request.gc !== false) {
      gc?.();
      gc?.();
    }
    const m = process.memoryUsage();
    const smaps = smapsRollup();
    reply({ type: "memory", rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, anonymous: smaps.Anonymous, socketQueues: socketQueues(), external: m.external, arrayBuffers: m.arrayBuffers, gcExposed: gc !== undefined, metrics: gateway?.metrics(), logLines, lastLines: [...lastLines], errorLines: [...errorLines] });
  } else if (request.type === "metrics") {
    reply({ type: "metrics", metrics: gateway?.metrics() });
  } else if (request.type === "close") {
    await gateway?.close();
    reply({ type: "closed" });
    process.disconnect?.();
  }
});
