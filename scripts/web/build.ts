/**
 * Builds the Instances page (src/web) into dist/web with esbuild: `index.html` (revalidated on every
 * load) and `assets/` with content-hashed names (cached for good): the page's script and stylesheet,
 * the lazily loaded `openclaw` chunk, source maps. The gateway serves exactly these files
 * (src/server/http/page-assets.ts). Run by `npm run build` and `prepare`; `tsx scripts/web/build.ts [OUT]`.
 */
import { readFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { nodeBuiltinGuard, ROOT } from "../browser-bundle.js";

export const WEB_OUT_DIR = join(ROOT, "dist/web");
const ENTRY = "src/web/main.ts";
/** Browsers with CSS light-dark(), ES2022 and module scripts (2024 and later). */
const TARGET = ["es2022", "chrome123", "firefox120", "safari17.5"];

export interface WebFile {
  /** Path under the output folder, e.g. `assets/instances-3FQ2AB.js`. */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface WebBuild {
  outDir: string;
  /** What a first visit loads: index.html, the entry script and its stylesheet. */
  page: WebFile[];
  /** Chunks loaded only on demand (the openclaw binding). */
  lazy: WebFile[];
}

export async function buildWebPage(outDir: string = WEB_OUT_DIR): Promise<WebBuild> {
  const version = (JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  const builtins: string[] = [];
  try {
    const result = await build({
      entryPoints: { instances: join(ROOT, ENTRY) },
      outdir: join(staging, "assets"),
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: TARGET,
      minify: true,
      sourcemap: "linked",
      entryNames: "[name]-[hash]",
      chunkNames: "[name]-[hash]",
      assetNames: "[name]-[hash]",
      define: { __PAGE_VERSION__: JSON.stringify(version) },
      metafile: true,
      logLevel: "silent",
      plugins: [nodeBuiltinGuard(builtins)],
    });
    if (builtins.length > 0) throw new Error(`the page pulls in Node built-ins: ${builtins.join(", ")}`);
    const outputs = Object.entries(result.metafile.outputs);
    const entry = outputs.find(([, o]) => o.entryPoint === ENTRY);
    if (!entry?.[1].cssBundle) throw new Error(`esbuild produced no script with a stylesheet for ${ENTRY}`);
    const [js, css] = [entry[0], entry[1].cssBundle].map((file) => `assets/${basename(file)}`);
    const template = await readFile(join(ROOT, "src/web/index.html"), "utf8");
    if (!template.includes("<!-- assets -->")) throw new Error("src/web/index.html has no <!-- assets --> marker");
    // Relative URLs: the page also works behind a reverse proxy that serves it under a sub-path.
    const tags = `<link rel="stylesheet" href="${css}" />\n    <script type="module" src="${js}"></script>`;
    await writeFile(join(staging, "index.html"), template.replace("<!-- assets -->", tags));

    const describe = async (path: string): Promise<WebFile> => {
      const body = await readFile(join(staging, path));
      return { path, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
    };
    // The first load: the entry and the chunks it imports statically (not the dynamic imports).
    const firstLoad = new Set<string>();
    const visit = (file: string) => {
      if (firstLoad.has(file)) return;
      firstLoad.add(file);
      for (const i of result.metafile.outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
    };
    visit(entry[0]);
    const asset = (file: string) => `assets/${basename(file)}`;
    const page = await Promise.all(["index.html", css, ...[...firstLoad].map(asset)].map(describe));
    const lazy = await Promise.all(
      outputs
        .map(([file]) => file)
        .filter((file) => file.endsWith(".js") && !firstLoad.has(file))
        .map((file) => describe(asset(file))),
    );
    await rm(outDir, { recursive: true, force: true });
    await mkdir(join(outDir, ".."), { recursive: true });
    await rename(staging, outDir);
    return { outDir, page, lazy };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = process.argv[2] ?? WEB_OUT_DIR;
  const built = await buildWebPage(out);
  const total = built.page.reduce((sum, f) => sum + f.gzipBytes, 0);
  console.log(`web: ${relative(process.cwd(), built.outDir) || "."} (${(total / 1024).toFixed(1)} KB min+gzip first load)`);
}
