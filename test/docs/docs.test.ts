// The README and docs/ as a newcomer follows them: every relative link (and #anchor) leads somewhere,
// every repository path they name in backticks exists (files move: test/server and test/client got
// sub-folders), every `npm run X` is a script of package.json, and every name a code example imports
// from a package entry ("gateway-presence", "gateway-presence/server", ...) is exported by it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string) => readFileSync(join(root, file), "utf8");
const DOCS = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), "reports/interop/README.md"];
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, "");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode(read(file)).matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const slug = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
    const n = seen.get(slug);
    seen.set(slug, (n ?? -1) + 1);
    anchors.add(n === undefined ? slug : `${slug}-${n + 1}`);
  }
  for (const [, id] of read(file).matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

// Paths that name something outside this repository, or a file a command writes.
const NOT_OURS = new Set(["src/infra/system-presence.ts" /* OpenClaw's source */]);

describe("README and docs", () => {
  it("relative links lead to existing files and anchors", () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      for (const [, target] of withoutCode(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split("#");
        const resolved = path ? join(dirname(file), path) : file;
        if (!existsSync(join(root, resolved))) broken.push(`${file}: ${target} (no such file)`);
        else if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("repository paths in backticks exist", () => {
    const missing: string[] = [];
    for (const file of DOCS) {
      for (const [, path] of read(file).matchAll(/`((?:test|src|scripts|bench|schemas|docs)\/[^`\s]*)`/g)) {
        if (/[*{}<>]|\.\.\.|[A-Z]{4}/.test(path!) || NOT_OURS.has(path!)) continue; // globs and placeholders
        if (!existsSync(join(root, path!.replace(/\/$/, "")))) missing.push(`${file}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("every `npm run X` is a script of package.json", () => {
    const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
    const unknown = DOCS.flatMap((file) => [...read(file).matchAll(/npm run ([a-z0-9:_-]+)/g)].map((m) => m[1]!).filter((s) => !scripts.includes(s)).map((s) => `${file}: ${s}`));
    expect(unknown).toEqual([]);
  });

  it("names imported from the package's entries in code examples are exported by them", async () => {
    const exportsMap = (JSON.parse(read("package.json")) as { exports: Record<string, string | { default: string }> }).exports;
    const missing: string[] = [];
    for (const file of DOCS) {
      for (const [, names, entry] of read(file).matchAll(/import \{([^}]+)\} from "(gateway-presence(?:\/[a-z/]+)?)"/g)) {
        const target = exportsMap[`.${entry!.slice("gateway-presence".length)}`];
        if (!target || typeof target === "string") {
          missing.push(`${file}: no package entry "${entry}"`);
          continue;
        }
        const source = join(root, target.default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));
        const module = (await import(source)) as Record<string, unknown>;
        for (const raw of names!.split(",")) {
          const name = raw.trim();
          if (!name || name.startsWith("type ")) continue; // types leave no run-time export
          if (!(name in module)) missing.push(`${file}: ${name} from "${entry}"`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
