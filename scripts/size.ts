/**
 * `npm run size`: min+gzip size of the client for browsers. Fails when the client SDK is over its
 * budget or any bundle pulls in a Node built-in.
 */
import { bundleForBrowser, type BrowserBundle } from "./browser-bundle.js";

const BUDGET_BYTES = 20 * 1024;

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
process.exitCode = failed ? 1 : 0;
