import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scaled } from "../support/timing.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("npm run gen", () => {
  it("committed schemas and src/generated are what the declarations generate (gen:check)", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "scripts/gen/main.ts", "--check"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/up to date/);
  }, scaled(60_000));
});
