/**
 * `npm run size`: min+gzip size of the client for browsers and of the Instances page (which carries
 * the SDK). Fails when one is over its budget or any bundle pulls in a Node built-in.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleForBrowser, type BrowserBundle } from "./browser-bundle.js";
import { buildWebPage, type WebFile } from "./web/build.js";

const BUDGET_BYTES = 20 * 1024;
/** The Instances page with the SDK inside, as a first visit loads it (issue 13). */
const PAGE_BUDGET_BYTES = 30 * 1024;

const targets: Array<{ label: string; entry: string | { contents: string }; budget?: number }> = [
  { label: "client SDK (src/client, no validators)", entry: "src/client/index.ts", budget: BUDGET_BYTES },
  {
    label: "app importing the client from the package entry",
    entry: {
      contents:
        'export { createPresenceClient, presenceStatus, loadInstanceId, localStorageInstanceIdStore, GatewayError, TransportError } from "./src/index.ts";',
    },
    budget: BUDGET_BYTES,
  },
  { label: "whole package entry (with ajv validators)", entry: "src/index.ts" },
];

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
let failed = false;
console.log("bundle".padEnd(52), "min".padStart(9), "min+gzip".padStart(10), " budget");
for (const target of targets) {
  let bundle: BrowserBundle;
  try {
    bundle = await bundleForBrowser(target.entry);
  } catch (error) {
    console.error(`${target.label}: esbuild failed: ${(error as Error).message}`);
    failed = true;
    continue;
  }
  const over = target.budget !== undefined && bundle.gzipBytes > target.budget;
  const budget = target.budget === undefined ? "" : `${over ? "OVER" : "ok"} < ${kb(target.budget)}`;
  console.log(target.label.padEnd(52), kb(bundle.minBytes).padStart(9), kb(bundle.gzipBytes).padStart(10), "", budget);
  if (bundle.nodeBuiltins.length > 0) console.error(`  Node built-ins pulled in: ${bundle.nodeBuiltins.join(", ")}`);
  failed ||= over || bundle.nodeBuiltins.length > 0;
}

// The page exactly as `npm run build` makes it (into a scratch folder): what a visit downloads.
const scratch = await mkdtemp(join(tmpdir(), "gp-size-"));
try {
  const built = await buildWebPage(join(scratch, "web"));
  const sum = (files: WebFile[], key: "bytes" | "gzipBytes") => files.reduce((n, f) => n + f[key], 0);
  for (const file of [...built.page, ...built.lazy]) {
    const lazy = built.lazy.includes(file) ? " (lazy)" : "";
    console.log(`  page ${file.path.replace(/-[A-Z0-9]{8}\./, "-[hash].")}${lazy}`.padEnd(52), kb(file.bytes).padStart(9), kb(file.gzipBytes).padStart(10));
  }
  for (const [label, files] of [
    ["Instances page with the SDK, first load", built.page],
    ["... with the openclaw binding (?binding=openclaw)", [...built.page, ...built.lazy]],
  ] as const) {
    const gzip = sum([...files], "gzipBytes");
    const over = gzip > PAGE_BUDGET_BYTES;
    console.log(label.padEnd(52), kb(sum([...files], "bytes")).padStart(9), kb(gzip).padStart(10), "", `${over ? "OVER" : "ok"} < ${kb(PAGE_BUDGET_BYTES)}`);
    failed ||= over;
  }
} catch (error) {
  console.error(`Instances page: build failed: ${(error as Error).message}`);
  failed = true;
} finally {
  await rm(scratch, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
