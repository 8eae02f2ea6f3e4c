/**
 * Presence store upsert throughput: a full store that evicts on every write vs a small store that
 * never evicts, run side by side (alternating rounds) in one process. Bounded in count and time.
 * Run: npm run bench:store
 */
import { createMemoryPresenceStore, manualClock, type PresenceStore } from "../src/presence/index.js";

const ROUNDS = 5;
const MAX_OPS_PER_ROUND = 50_000;
const MAX_MS_PER_ROUND = 400;
const DEADLINE = Date.now() + 30_000;

interface Scenario {
  name: string;
  store: PresenceStore;
  nextKey: () => string;
  changes: number;
  rates: number[];
}

async function scenario(name: string, maxEntries: number, prefill: number, keySpace: number | "fresh"): Promise<Scenario> {
  const clock = manualClock(Date.now());
  const store = createMemoryPresenceStore({ clock, maxEntries, ttlMs: 24 * 3600_000, sweepIntervalMs: 0 });
  const s: Scenario = { name, store, nextKey: () => "", changes: 0, rates: [] };
  store.onChange(() => s.changes++);
  await store.setSelf({ host: "bench-gateway", mode: "gateway" });
  for (let i = 0; i < prefill; i++) await store.upsert(`prefill-${i}`, { host: `h${i}` });
  let n = 0;
  s.nextKey = () => {
    clock.advance(1);
    n++;
    return keySpace === "fresh" ? `new-${n}` : `k-${n % keySpace}`;
  };
  return s;
}

async function round(s: Scenario): Promise<void> {
  const start = performance.now();
  let ops = 0;
  while (ops < MAX_OPS_PER_ROUND && performance.now() - start < MAX_MS_PER_ROUND) {
    for (let j = 0; j < 100; j++, ops++) {
      await s.store.upsert(s.nextKey(), { host: "bench", ip: "10.0.0.9", roles: ["operator"], lastInputSeconds: j });
    }
  }
  s.rates.push(ops / ((performance.now() - start) / 1000));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const scenarios = [
  await scenario("10 rows, no eviction", 200, 0, 10),
  await scenario("200 rows full, evicts every write", 200, 199, "fresh"),
  await scenario("10000 rows full, evicts every write", 10_000, 9_999, "fresh"),
];

for (let r = 0; r < ROUNDS && Date.now() < DEADLINE; r++) {
  for (const s of scenarios) await round(s);
}

const base = median(scenarios[0].rates);
console.log(`presence store upserts/s (median of ${scenarios[0].rates.length} rounds, each <= ${MAX_OPS_PER_ROUND} ops / ${MAX_MS_PER_ROUND} ms), Node ${process.version}`);
for (const s of scenarios) {
  const rate = median(s.rates);
  const size = await s.store.size();
  console.log(
    `${s.name.padEnd(38)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} upserts/s  ratio ${(rate / base).toFixed(2)}  rows ${size}  changes ${s.changes}`,
  );
  await s.store.close();
}
