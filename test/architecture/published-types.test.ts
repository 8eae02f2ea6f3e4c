// The package's published types (dist/**/*.d.ts, built by `npm ci`'s prepare) must type-check in an
// app that installs gateway-presence and nothing else: every package a declaration file imports is a
// dependency (not a devDependency, which an app never gets), and brings its types itself or has its
// `@types/` package among the dependencies too. With `@types/ws` a devDependency, the README's
// `createGateway` example failed `tsc --strict` in such an app: `dist/server/core/connection.d.ts:
// error TS7016: Could not find a declaration file for module 'ws'` (so did `gateway-presence/conformance`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = join(root, "dist");
interface PackageJson { dependencies?: Record<string, string>; types?: string; typings?: string; exports?: unknown }
const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
const pkg = readPackage(root);

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Bare specifiers (not relative, not `node:`) of a declaration file's imports and exports, as package names. */
function importedPackages(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]!);
  return specifiers
    .filter((s) => !s.startsWith(".") && !s.startsWith("node:"))
    .map((s) => s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/"));
}

/** Whether an installed package ships its own declarations. */
function shipsTypes(name: string): boolean {
  const dir = join(root, "node_modules", name);
  const own = readPackage(dir);
  return Boolean(own.types ?? own.typings) || JSON.stringify(own.exports ?? {}).includes('"types"') || existsSync(join(dir, "index.d.ts"));
}

describe("the published types", () => {
  it("need only the package's dependencies: each imported package is one, with its types or its @types/ package", () => {
    expect(existsSync(dist), "dist/ is missing: run npm run build").toBe(true);
    const dependencies = pkg.dependencies ?? {};
    const problems = new Set<string>();
    let imports = 0;
    for (const file of declarationFiles(dist)) {
      for (const name of importedPackages(readFileSync(file, "utf8"))) {
        imports += 1;
        const where = file.slice(root.length);
        if (!(name in dependencies)) problems.add(`${where} imports ${name}, not a dependency`);
        else if (!shipsTypes(name) && !(`@types/${name}` in dependencies)) problems.add(`${where} imports ${name}, whose types (@types/${name}) are not a dependency`);
      }
    }
    expect(imports).toBeGreaterThan(0); // the scan sees the imports it checks (ws, ioredis, commander, ...)
    expect([...problems]).toEqual([]);
  });
});
