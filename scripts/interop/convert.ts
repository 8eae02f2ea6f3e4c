// Recordings -> fixtures/recorded/*.json: our recordings (fixtures/recorded/*.jsonl) and the shared
// ones (fixtures/openclaw-recordings/<release>/*.jsonl, the redacted copy of ../shared/recordings).
// `npx tsx scripts/interop/convert-all.ts` regenerates all.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Scenario } from "../../src/conformance/scenario/scenario.js";
import { recordingToScenario } from "../../src/record/fixture.js";
import { parseRecording } from "../../src/record/recording.js";

export const RECORDED_DIR = "fixtures/recorded";
const SHARED = "fixtures/openclaw-recordings";

export interface ConversionJob {
  file: string;
  /** Output name (without .json). */
  name: string;
  label: string;
  source: string;
}

export function conversionJobs(): ConversionJob[] {
  const jobs = readdirSync(RECORDED_DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => ({ file: join(RECORDED_DIR, f), name: f.replace(/\.jsonl$/, ""), label: f.replace(/\.jsonl$/, ""), source: f }));
  if (!existsSync(SHARED)) return jobs;
  for (const release of readdirSync(SHARED, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const f of readdirSync(join(SHARED, release)).filter((n) => n.endsWith(".jsonl"))) {
      const name = f.replace(/\.jsonl$/, "");
      jobs.push({ file: join(SHARED, release, f), name: `${release}-${name}`, label: `${release} ${name}`, source: `${release}/${f}` });
    }
  }
  return jobs;
}

export function convertJob(job: ConversionJob): Scenario {
  const scenario = recordingToScenario(parseRecording(readFileSync(job.file, "utf8")), { name: job.label, source: job.source });
  writeFileSync(join(RECORDED_DIR, `${job.name}.json`), `${JSON.stringify(scenario, null, 2)}\n`);
  return scenario;
}
