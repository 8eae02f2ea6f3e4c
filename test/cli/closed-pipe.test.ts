// `gateway-presence watch | head -3`: when the reader of its output goes away, the command stops
// quietly (exit 0) instead of crashing on EPIPE with a stack trace. Real process, real gateway.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startGateway } from "../server/helpers.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

describe("a closed output pipe", () => {
  it("stops watch quietly once its reader has gone", async () => {
    const gw = await startGateway();
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "watch", "--url", gw.url, "--resync-ms", "1000"], {
      env: { ...process.env, GATEWAY_PRESENCE_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Like `head`: read the first output, then close the pipe's reading end.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await Promise.race([exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 10_000))]);
    if (code === "running") child.kill("SIGKILL");
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
