// `record --out FILE` when two record runs name the same file, and when a run fails to start: real
// `record` processes (test/support/cli.ts) proxying real clients to a real gateway on loopback. Each
// run opened the file with "w" (truncating it) and wrote at its own offsets: the shorter recording's
// lines over the start of the longer's, its tail left behind. Now each run writes beside the file and
// renames over it when it stops (src/cli/output-file.ts openOutputStream), as writeOutputFile does
// for the other commands' outputs (test/cli/output-file.test.ts).
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseRecording } from "../../src/record/recording.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli, type CliRun } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { scaled, withoutShedding } from "../support/timing.js";

const dir = mkdtempSync(join(tmpdir(), "gp-record-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gateways: Gateway[] = [];
afterEach(async () => {
  for (const gw of gateways.splice(0)) await gw.close();
});

async function gateway(): Promise<Gateway> {
  const gw = await createGateway(withoutShedding({ host: "127.0.0.1", port: 0 }));
  gateways.push(gw);
  return gw;
}

/** Starts `record` into `file`; resolves with the run and its proxy URL once it says it records. */
async function record(gw: Gateway, file: string): Promise<{ run: CliRun; url: string }> {
  const run = cli(["record", "--listen", "127.0.0.1:0", "--upstream", gw.url, "--out", file]);
  let url: string | undefined;
  await eventually(async () => expect((url = /recording (ws:\/\/\S+)/.exec(run.stderr())?.[1])).toBeDefined(), scaled(15_000)); // a CLI start: node + tsx
  return { run, url: url! };
}

/** A client session through `url`: connect, then `listings` system-presence requests, ids `<name>-<n>`; every answer awaited. */
async function session(url: string, name: string, listings: number): Promise<void> {
  const ws = new WebSocket(url);
  const answered = new Set<string>();
  ws.on("message", (data) => answered.add(String((JSON.parse(String(data)) as { id?: unknown }).id)));
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  const client = { id: "c", version: "1", platform: "p", mode: "ui", instanceId: `record-${name}` };
  const ids = [`${name}-0`, ...Array.from({ length: listings }, (_, i) => `${name}-${i + 1}`)];
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: ids[0], method: "connect", params: { minProtocol: 1, maxProtocol: 1, client } }));
  for (const id of ids.slice(1)) ws.send(JSON.stringify({ jsonrpc: "2.0", id, method: "system-presence" }));
  await eventually(async () => expect(ids.filter((id) => !answered.has(id))).toEqual([]));
  ws.close(1000, "done");
  await new Promise((resolve) => ws.once("close", resolve));
}

/** The ids of the requests a recording holds, in order. */
const sentIds = (text: string) => parseRecording(text).filter((line) => line.dir === "send").map((line) => (line.frame as { id: string }).id);

describe("record --out", () => {
  it("two runs with the same --out: the file is one run's whole recording (the last to stop), never a mix", async () => {
    const gw = await gateway();
    const file = join(dir, "session.jsonl");
    const [a, b] = await Promise.all([record(gw, file), record(gw, file)]);
    // The longer recording first: written in place, the shorter one's lines went over its start.
    await session(a.url, "a", 40);
    await session(b.url, "b", 3);
    a.run.child.kill("SIGINT");
    expect(await a.run.exit).toBe(0);
    b.run.child.kill("SIGINT");
    expect(await b.run.exit).toBe(0);
    expect(sentIds(readFileSync(file, "utf8"))).toEqual(["b-0", "b-1", "b-2", "b-3"]);
    expect(readdirSync(dir).filter((name) => name.startsWith(".session.jsonl."))).toEqual([]); // no temporary file left
  });

  it("keeps an earlier recording's permissions, and leaves it untouched when the run fails to start", async () => {
    const gw = await gateway();
    const file = join(dir, "kept.jsonl");
    writeFileSync(file, "earlier\n");
    chmodSync(file, 0o600);
    const first = await record(gw, file);
    await session(first.url, "first", 1);
    first.run.child.kill("SIGTERM");
    expect(await first.run.exit).toBe(0);
    expect([statSync(file).mode & 0o777, sentIds(readFileSync(file, "utf8"))]).toEqual([0o600, ["first-0", "first-1"]]);
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: the listen fails after --out was opened.
    const failed = cli(["record", "--listen", "192.0.2.1:0", "--upstream", gw.url, "--out", file]);
    expect(await failed.exit).toBe(1);
    expect(sentIds(readFileSync(file, "utf8"))).toEqual(["first-0", "first-1"]); // it truncated the file to nothing
    expect(readdirSync(dir).filter((name) => name.startsWith(".kept.jsonl."))).toEqual([]);
  });
  it("a run whose terminal closes (SIGHUP) puts its recording at --out too, not only SIGINT and SIGTERM", async () => {
    // Written in place before, the recording was at --out whatever ended the run; now it is renamed
    // there when record stops, so a hang-up that killed it left it in the hidden temporary file.
    const gw = await gateway();
    const file = join(dir, "hangup.jsonl");
    const run = await record(gw, file);
    await session(run.url, "h", 1);
    run.run.child.kill("SIGHUP");
    expect(await run.run.exit).toBe(0);
    expect(sentIds(readFileSync(file, "utf8"))).toEqual(["h-0", "h-1"]);
    expect(readdirSync(dir).filter((name) => name.startsWith(".hangup.jsonl."))).toEqual([]);
  });
});
