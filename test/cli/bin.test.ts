// The README's main command in a clone is `npx gateway-presence ...`: npm links package.json's bin
// (dist/cli/main.js, built by `npm ci`'s prepare) but does not make the root project's own bin file
// executable, and tsc writes it 644, so the build sets the mode (package.json "build"). Without it
// every command failed with `sh: 1: gateway-presence: Permission denied`, exit 127.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scaled } from "../support/timing.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string; bin: Record<string, string> };

describe("the built command line", () => {
  it("is executable, so `npx gateway-presence` runs it in a clone (npm ci builds it)", () => {
    const bin = pkg.bin["gateway-presence"]!;
    expect(() => accessSync(`${root}/${bin}`, constants.X_OK), `${bin} is not executable: run npm run build`).not.toThrow();
    const run = spawnSync("npx", ["--no-install", "gateway-presence", "--version"], { cwd: root, encoding: "utf8", timeout: scaled(60_000) });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(pkg.version);
    expect(run.status).toBe(0);
  }, 60_000); // npx starts npm, then node: 1.4 s alone, 27 s seen at load average 10
});
