/**
 * The hardening scripts' child processes (a gateway, live clients) do not outlive a parent that dies
 * without closing them: killed, crashed, or its stdout a closed pipe (`npm run floods:crowd | head`
 * left both running for good before they exited on their IPC channel's disconnect).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scaled } from "../../support/timing.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const GATEWAY_PROCESS = here("../../../scripts/hardening/gateway-process.ts");
const LIVE_CLIENTS = here("../../../scripts/hardening/live-clients.ts");

/** A parent that starts both children (the live clients connected to the gateway), prints their pids, and waits to be killed. */
const PARENT = `
import { fork } from "node:child_process";
import { startGatewayProcess } from ${JSON.stringify(GATEWAY_PROCESS)};
const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0 });
const live = fork(${JSON.stringify(LIVE_CLIENTS)}, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
// Started, so its sockets (connected, calling system-presence) would keep it alive.
const ready = new Promise((resolve) => live.on("message", (m) => m.type === "ready" && resolve(undefined)));
live.send({ type: "start", url: gw.url, count: 1, residents: 0, addresses: ["127.0.0.2"] });
await ready;
console.log(JSON.stringify({ gateway: gw.pid, live: live.pid }));
setInterval(() => {}, 1000);
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("hardening child processes", () => {
  it("exit when their parent is killed (SIGKILL: no chance to close them)", async () => {
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", PARENT], { stdio: ["ignore", "pipe", "inherit"] });
    const pids = await new Promise<{ gateway: number; live: number }>((resolve, reject) => {
      let out = "";
      parent.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line));
      });
      parent.once("exit", (code) => reject(new Error(`parent exited early (${code}): ${out}`)));
    });
    expect(alive(pids.gateway) && alive(pids.live)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + scaled(10_000);
    while ((alive(pids.gateway) || alive(pids.live)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const left = [pids.gateway, pids.live].filter(alive);
    for (const pid of left) process.kill(pid, "SIGKILL"); // never leave one behind, even when the test fails
    expect(left).toEqual([]);
  }, scaled(30_000));
});
