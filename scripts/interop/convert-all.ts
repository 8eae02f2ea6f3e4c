// Regenerates every fixtures/recorded/*.json from its recording: npx tsx scripts/interop/convert-all.ts
import { conversionJobs, convertJob } from "./convert.js";

for (const job of conversionJobs()) console.log(`${job.file} -> ${job.name}.json (${convertJob(job).steps.length} steps)`);
