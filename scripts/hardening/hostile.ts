/**
 * `npm run hostile`: the hostile-input figures of docs/security.md, measured against a reference
 * gateway in its own process on loopback (gateway-process.ts): answer size against frame size for
 * frames full of wrong values (hostile/answers.ts), slowloris 429/408 (hostile/slowloris.ts), other
 * clients' round trips beside junk-frame flooders (hostile/pipeline.ts), the gateway's memory with
 * sockets that never read their answers (hostile/unread.ts). Prints the machine, date and commit
 * first; PASS/FAIL judges only what must hold on any machine (bounds, status codes, counts), never
 * a timing or a memory figure. About a minute; every part stops by itself. Not part of `npm test`
 * (test/server/hardening/ asserts the same behaviour without timing it).
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { numberOptions, runIfMain, verdict } from "./cli.js";
import { answerFailures, answerSizes, printAnswers } from "./hostile/answers.js";
import { pipeline, pipelineFailures, printPipeline } from "./hostile/pipeline.js";
import { printSlowloris, slowloris, slowlorisFailures } from "./hostile/slowloris.js";
import { printUnread, unreadAnswers, unreadFailures } from "./hostile/unread.js";

/** The commit measured: short hash, "+ uncommitted changes" when the tree differs from it. */
function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? " + uncommitted changes" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

async function main(): Promise<void> {
  const o = numberOptions("hostile", {
    seconds: { fallback: 5, describe: "length of each pipeline phase, s" },
    flooders: { fallback: 4, describe: "junk-frame flooders in the pipeline's last phase" },
    sockets: { fallback: 20, describe: "sockets that never read their answers" },
    "unread-seconds": { fallback: 6, describe: "how long those sockets send, s" },
  });
  console.log(`hostile ${new Date().toISOString()}, commit ${commit()}`);
  console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, node ${process.version}, load ${load()}`);
  const answers = await answerSizes();
  printAnswers(answers);
  const loris = await slowloris();
  printSlowloris(loris);
  const phases = await pipeline({ seconds: o.seconds, flooders: Math.ceil(o.flooders) });
  printPipeline(phases);
  const unread = await unreadAnswers({ sockets: Math.ceil(o.sockets), seconds: o["unread-seconds"] });
  printUnread(unread);
  console.log(`load at the end: ${load()}`);
  verdict(
    [...answerFailures(answers), ...slowlorisFailures(loris), ...pipelineFailures(phases), ...unreadFailures(unread)],
    "answers within 2 x frame + 16 KB, 64 unfinished requests held per address then 429, 408 after handshakeTimeoutMs, every request of the other client answered, reads held and slow consumers closed",
  );
}

runIfMain(import.meta.url, main);
