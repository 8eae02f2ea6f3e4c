// The rooms of src/conformance (docs/conformance.md "Layout"): scenario (the fixture language) <
// report (results and their formats) < checks (comparing frames with expectations) < run (the engine)
// < the entry files. A room never imports a later one, and no file imports itself back through others
// (type-only imports count: a type cycle is still a knot a newcomer has to untie).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../src/conformance/", import.meta.url));

const RANK: Record<string, number> = { scenario: 0, report: 1, checks: 2, run: 3, "(entry)": 4 };
const MAX_FILES_PER_FOLDER = 20;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const roomOf = (file: string) => {
  const first = relative(root, file).split("/")[0]!;
  return first.endsWith(".ts") ? "(entry)" : first;
};

/** Relative imports and re-exports, type-only ones included, resolved to files of src/conformance. */
function localImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']/gm)]
    .map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")))
    .filter((target) => target.startsWith(root));
}

/** Every cycle of the import graph, as the files on it (Tarjan's strongly connected components). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

const all = files(root);
const graph = new Map(all.map((f) => [f, localImports(f)]));

describe("src/conformance layout", () => {
  it("has no import cycle, type-only imports included", () => {
    const cycles = importCycles(graph).map((c) => c.map((f) => relative(root, f)).join(" <-> "));
    expect(cycles).toEqual([]);
  });

  it("every file is in a known room, and a room never imports a later one", () => {
    const offences: string[] = [];
    for (const [file, targets] of graph) {
      const from = roomOf(file);
      if (RANK[from] === undefined) offences.push(`${relative(root, file)}: unknown room "${from}"`);
      for (const target of targets) {
        const to = roomOf(target);
        if ((RANK[to] ?? 99) > (RANK[from] ?? -1)) offences.push(`${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
      }
    }
    expect(offences).toEqual([]);
  });

  it(`keeps every folder under ${MAX_FILES_PER_FOLDER} source files`, () => {
    const counts = new Map<string, number>();
    for (const file of all) counts.set(dirname(relative(root, file)), (counts.get(dirname(relative(root, file))) ?? 0) + 1);
    const crowded = [...counts].filter(([, n]) => n > MAX_FILES_PER_FOLDER).map(([dir, n]) => `${dir}: ${n}`);
    expect(crowded).toEqual([]);
  });

  it("the cycle finder finds a cycle (so the first test can fail)", () => {
    const cyclic = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(importCycles(cyclic)).toEqual([["a", "b", "c"]]);
    expect(importCycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });
});
