import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { HelloOk } from "../../src/protocol/index.js";
import { WireClient, connectParams, list } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const running = new Set<ChildProcessWithoutNullStreams>();

afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

interface Serve {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(args: string[]): Serve {
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

async function urlOf(s: Serve): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening (ws:\/\/\S+)/.exec(s.stdout());
    if (match) return match[1];
    if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`no URL; stdout=${s.stdout()} stderr=${s.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("gateway-presence serve", () => {
  it("prints its real URL on --port 0, logs connects and disconnects, and stops on SIGTERM", async () => {
    const s = serve(["--port", "0", "--ttl-ms", "60000", "--max-entries", "10", "--test-clock"]);
    const url = await urlOf(s);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const client = await WireClient.open(url);
    const hello = await client.result<HelloOk>("connect", connectParams({ instanceId: "via-cli" }));
    expect(hello.features.methods).toContain("test.clock.advance");
    expect((await list(client)).some((row) => row.instanceId === "via-cli")).toBe(true);
    s.child.kill("SIGTERM");
    expect((await client.closed).code).toBe(1001);
    expect(await s.exited).toBe(0);
    const out = s.stdout();
    expect(out).toMatch(/connect conn=\S+ client=test-client mode=ui/);
    expect(out).toMatch(/disconnect conn=\S+ code=1001 key=via-cli/);
    expect(out).toMatch(/SIGTERM: stopping/);
  });

  it("logs a rejection with its reason and stops on SIGINT", async () => {
    const s = serve(["--port", "0", "--token", "sekrit"]);
    const client = await WireClient.open(await urlOf(s));
    await client.call("connect", connectParams({ token: "nope" }));
    expect((await client.closed).code).toBe(1008);
    s.child.kill("SIGINT");
    expect(await s.exited).toBe(0);
    expect(s.stdout()).toMatch(/reject conn=\S+ reason=UNAUTHORIZED/);
    expect(s.stdout()).not.toContain("sekrit");
  });

  it("refuses a non-loopback host without a token", async () => {
    const s = serve(["--host", "0.0.0.0", "--port", "0"]);
    expect(await s.exited).toBe(1);
    expect(s.stderr()).toMatch(/refusing to listen on non-loopback host 0\.0\.0\.0 without a token.*--insecure-no-auth/);
    expect(s.stdout()).not.toMatch(/listening/);
  });

  it("rejects a bad port", async () => {
    const s = serve(["--port", "http"]);
    expect(await s.exited).not.toBe(0);
    expect(s.stderr()).toMatch(/--port.*must be an integer from 0 to 65535/);
  });
});
