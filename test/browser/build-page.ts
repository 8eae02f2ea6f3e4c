// Vitest global setup of the `browser` project: builds the Instances page from the current sources
// into dist/web (what `npm run build` does), so the page under test is never a stale build.
import { buildWebPage } from "../../scripts/web/build.js";

export default async function setup(): Promise<void> {
  await buildWebPage();
}
