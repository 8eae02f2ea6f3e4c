// npm's prepare builds dist/ only when the sources changed since the last finished build: every
// `npx gateway-presence` in a clone runs prepare, which rebuilt dist/ each time (8 to 20 s before the
// command started). The staleness rule on a real folder tree, with file times set explicitly.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildIsStale, STAMP } from "../../../scripts/setup/prepare.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const T0 = new Date("2026-12-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A package root with src/a.ts, src/web/b.ts and package.json at T0, and a build stamp at T0 + 10 s. */
function builtPackage(): string {
  const root = mkdtempSync(join(tmpdir(), "gp-prepare-"));
  roots.push(root);
  mkdirSync(join(root, "src/web"), { recursive: true });
  mkdirSync(join(root, "dist"));
  for (const file of ["src/a.ts", "src/web/b.ts", "package.json"]) writeFileSync(join(root, file), "x");
  writeFileSync(join(root, STAMP), "");
  for (const path of ["src/a.ts", "src/web/b.ts", "src/web", "src", "package.json"]) utimesSync(join(root, path), T0, T0);
  utimesSync(join(root, STAMP), at(10), at(10));
  return root;
}

describe("prepare's build-or-not (scripts/setup/prepare.ts)", () => {
  it("skips the build when nothing the build reads changed since it finished", () => {
    expect(buildIsStale(builtPackage())).toBe(false);
  });

  it("builds when there is no finished build (a fresh clone, or a build that was interrupted)", () => {
    const root = builtPackage();
    rmSync(join(root, STAMP));
    expect(buildIsStale(root)).toBe(true);
  });

  it("builds when a source file, however deep, changed after the build", () => {
    const root = builtPackage();
    utimesSync(join(root, "src/web/b.ts"), at(20), at(20));
    expect(buildIsStale(root)).toBe(true);
  });

  it("builds when a source file was added or removed (its folder's time moves)", () => {
    const added = builtPackage();
    writeFileSync(join(added, "src/web/c.ts"), "x"); // now, long after the stamp's T0 + 10 s
    expect(buildIsStale(added)).toBe(true);

    const removed = builtPackage();
    rmSync(join(removed, "src/a.ts"));
    expect(buildIsStale(removed)).toBe(true);
  });

  it("builds when package.json changed, and ignores inputs a package does not have", () => {
    const root = builtPackage();
    expect(buildIsStale(root, ["src", "package.json", "no-such-file.json"])).toBe(false);
    utimesSync(join(root, "package.json"), at(11), at(11));
    expect(buildIsStale(root)).toBe(true);
  });
});
