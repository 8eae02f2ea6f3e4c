import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Two projects: `unit` (everything in Node, files in parallel) and `browser` (the Instances page in a
// real Chromium, one file at a time: each runs a browser and gateways, on a shared 2-core machine).
export default defineConfig({
  test: {
    // Most test files wait on sockets, timers and child processes rather than compute: one worker
    // per core less one (Vitest's default: 1 on a 2-core machine) left cores idle. With 3 on 2 cores
    // the whole suite took 184 and 191 s against 414 s (2026-11-30, both green); more cores, more workers.
    maxWorkers: Math.max(3, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts", "src/**/*.test.ts"],
          exclude: ["test/browser/**", "**/node_modules/**"],
          // The limits above, grown with the machine's load when each file starts.
          setupFiles: ["test/support/timeouts.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          // Builds the page into dist/web first: the tests load exactly what `npm start` serves.
          globalSetup: ["test/browser/build-page.ts"],
          fileParallelism: false,
          // A page reacts within milliseconds; on a loaded shared machine, allow seconds before failing.
          expect: { poll: { timeout: 10_000, interval: 50 } },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
