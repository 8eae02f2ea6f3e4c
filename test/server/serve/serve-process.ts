/** `gateway-presence serve` as a child process (tsx), killed after each test; its URLs read from its log. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const running = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

export interface Serve {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function serve(args: string[]): Serve {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", ...args], {
    env: { ...process.env, GATEWAY_PRESENCE_TOKEN: "" },
  });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Every `listening ws://... BINDING` line, once `count` of them are printed. */
export async function listenersOf(s: Serve, count = 1): Promise<Array<{ url: string; binding: string }>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = [...s.stdout().matchAll(/listening (ws:\/\/\S+) (\w+)/g)].map((m) => ({ url: m[1]!, binding: m[2]! }));
    if (found.length >= count) return found;
    if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`no URL; stdout=${s.stdout()} stderr=${s.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function urlOf(s: Serve): Promise<string> {
  return (await listenersOf(s))[0]!.url;
}
