/**
 * Bundles client code for browsers with esbuild and reports any Node built-in it pulls in.
 * Used by `npm run size` and by test/client/app/browser-bundle.test.ts.
 */
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface BrowserBundle {
  code: string;
  minBytes: number;
  gzipBytes: number;
  /** Node built-ins the bundle tried to import, with the importing file. */
  nodeBuiltins: string[];
  /** Input files in the bundle, relative to the repo. */
  inputs: string[];
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** An esbuild plugin that records (in `found`) every Node built-in a bundle imports, and keeps it external. */
export function nodeBuiltinGuard(found: string[]): Plugin {
  return {
    name: "node-builtin-guard",
    setup(b) {
      b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => {
        if (!BUILTINS.has(args.path) && !args.path.startsWith("node:")) return undefined;
        found.push(`${args.path} (imported by ${args.importer.replace(ROOT, "")})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * `entry`: a file relative to the repo root, or `{ contents }` for a virtual entry that imports
 * from the repo (resolved relative to the root).
 */
export async function bundleForBrowser(entry: string | { contents: string }): Promise<BrowserBundle> {
  const nodeBuiltins: string[] = [];
  const result = await build({
    ...(typeof entry === "string"
      ? { entryPoints: [`${ROOT}/${entry}`] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: "ts", sourcefile: "virtual-entry.ts" } }),
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    metafile: true,
    logLevel: "silent",
    plugins: [nodeBuiltinGuard(nodeBuiltins)],
  });
  const code = result.outputFiles[0].text;
  return {
    code,
    minBytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    nodeBuiltins,
    inputs: Object.keys(result.metafile.inputs),
  };
}
