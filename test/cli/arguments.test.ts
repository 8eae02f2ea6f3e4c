// Bad CLI arguments get commander's one-line error and exit 1, never a stack trace.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", main, ...args], { encoding: "utf8", timeout: 20_000 });
}

describe("CLI argument checks", () => {
  it.each([
    [["list", "--url", "http://127.0.0.1:1"], /--url <url>.*must be a ws:\/\/ or wss:\/\/ URL/],
    [["list", "--timeout-ms", "abc"], /--timeout-ms <ms>.*must be an integer/],
    [["list", "--timeout-ms", "10abc"], /--timeout-ms <ms>.*must be an integer/],
    [["watch", "--url", "not a url"], /--url <url>.*must be a ws:\/\/ or wss:\/\/ URL/],
    [["watch", "--resync-ms", "5"], /--resync-ms <ms>.*must be an integer from 1000/],
    [["serve", "--port", "70000"], /--port.*must be an integer from 0 to 65535/],
  ])("%j", (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
