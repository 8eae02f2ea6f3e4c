// `npm run bench:gateway -- --help` prints the options; a mistyped option is refused (exit 2)
// instead of starting the 15-minute run without it. Nothing is measured here.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scaled } from "../support/timing.js";

const SCRIPT = fileURLToPath(new URL("../../bench/gateway.ts", import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", SCRIPT, ...args], { timeout: scaled(30_000) }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe("bench:gateway options", () => {
  it("--help lists every option and starts nothing", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    for (const option of ["--procs N", "--rounds N", "--short-rounds N", "--warmup N", "--quick", "--json FILE", "--check"]) expect(stdout).toContain(option);
    expect(stdout).not.toMatch(/load processes, \d+ rounds/);
  });

  it("refuses an unknown option or a bad count with exit 2, before any load", async () => {
    for (const [args, message] of [
      [["--rund", "1"], /Unknown option '--rund'/],
      [["--procs", "0"], /--procs must be a positive integer, got "0"/],
      [["--warmup", "two"], /--warmup must be an integer >= 0, got "two"/],
      [["--short-rounds", "0"], /--short-rounds must be a positive integer, got "0"/],
    ] as const) {
      const { code, stdout, stderr } = await run([...args]);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr, args.join(" ")).toMatch(message);
      expect(stdout).toBe("");
    }
  });
});
