// The layering of src/ (README "Layout"): a lower layer never imports a higher one, client and server
// never import each other, and browser-facing layers use no Node built-in outside their Node-only files.
// src/web (the Instances page, a browser app on the client SDK) sits above client; nothing imports it,
// and the server reaches it only as built files (dist/web).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_WEB_ROOT } from "../../src/server/http/page-assets.js";

const src = fileURLToPath(new URL("../../src/", import.meta.url));

const RANK: Record<string, number> = {
  protocol: 0,
  generated: 1,
  validation: 2,
  transport: 3,
  presence: 4,
  server: 5,
  client: 5,
  "(entry)": 5.5,
  web: 5.7,
  conformance: 6,
  doctor: 6,
  record: 7,
  cli: 8,
};
const BROWSER_LAYERS = ["protocol", "generated", "validation", "transport", "client", "web"];
const NODE_ONLY_FILE = /(^|[-/])node\.ts$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const layerOf = (file: string) => {
  const first = relative(src, file).split("/")[0];
  return first.endsWith(".ts") ? "(entry)" : first;
};

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
}

const all = files(src);

describe("layers", () => {
  it("every folder of src/ has a rank", () => {
    for (const file of all) expect(RANK[layerOf(file)], relative(src, file)).toBeDefined();
  });

  it("no file imports a higher layer, and client and server never import each other", () => {
    const offences: string[] = [];
    for (const file of all) {
      const from = layerOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith("."))) {
        const to = layerOf(resolve(dirname(file), spec));
        const crossed = RANK[to] > RANK[from] || (from !== to && RANK[to] === RANK[from]);
        if (crossed) offences.push(`${relative(src, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(offences).toEqual([]);
  });

  it("the doctor reads gateways as a client does: it never imports the server", () => {
    const offences = all
      .filter((f) => layerOf(f) === "doctor")
      .flatMap((f) => imports(f).filter((s) => s.startsWith(".") && layerOf(resolve(dirname(f), s)) === "server").map((s) => `${relative(src, f)} imports ${s}`));
    expect(all.some((f) => layerOf(f) === "doctor")).toBe(true);
    expect(offences).toEqual([]);
  });

  it("nothing imports src/web (the page), and the page uses no Node-only file of the layers below", () => {
    const offences: string[] = [];
    for (const file of all) {
      const from = layerOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith("."))) {
        const target = resolve(dirname(file), spec);
        if (from !== "web" && layerOf(target) === "web") offences.push(`${relative(src, file)} imports ${spec} (web)`);
        if (from === "web" && NODE_ONLY_FILE.test(relative(src, target).replace(/\.js$/, ".ts"))) {
          offences.push(`${relative(src, file)} imports Node-only ${spec}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it("the server serves the page only as built files: its default web root is dist/web, never src/web", () => {
    expect(DEFAULT_WEB_ROOT).toBe(join(src, "..", "dist", "web") + sep);
  });

  it("no folder of src/ or test/ holds more than 20 files (the project's folder limit; src/conformance's own test counts .ts alone)", () => {
    const root = join(src, "..");
    const crowded = (dir: string): string[] => {
      const entries = readdirSync(dir, { withFileTypes: true });
      const here = entries.filter((e) => e.isFile()).length;
      const own = here > 20 ? [`${relative(root, dir)}: ${here} files`] : [];
      return [...own, ...entries.filter((e) => e.isDirectory() && e.name !== "node_modules").flatMap((e) => crowded(join(dir, e.name)))];
    };
    expect([...crowded(src), ...crowded(join(root, "test"))]).toEqual([]);
  });

  it("browser-facing layers use Node built-ins only in their Node-only files", () => {
    const offences = all
      .filter((f) => BROWSER_LAYERS.includes(layerOf(f)) && !NODE_ONLY_FILE.test(relative(src, f)))
      .flatMap((f) => imports(f).filter((s) => s.startsWith("node:")).map((s) => `${relative(src, f)} imports ${s}`));
    expect(offences).toEqual([]);
  });
});
