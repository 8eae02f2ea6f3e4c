// `gateway-presence record` and `fixture` as processes: record a client's session with the
// reference gateway until SIGINT, then turn the file into a valid scenario; bad input exits 1.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { checkScenario } from "../../src/conformance/scenario/fixtures.js";
import { parseRecording } from "../../src/record/recording.js";
import { createGateway } from "../../src/server/index.js";
import { cli, cliResult } from "../support/cli.js";
import { scaled } from "../support/timing.js";

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor<T>(what: string, probe: () => T | undefined, ms = scaled(15_000)): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("record and fixture commands", () => {
  it("records until SIGINT; the recording converts into a valid scenario", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gp-record-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const gw = await createGateway({ host: "127.0.0.1", port: 0, token: "cli-secret-token" });
    cleanups.push(() => gw.close());
    const file = join(dir, "session.jsonl");
    const rec = cli(["record", "--listen", "127.0.0.1:0", "--upstream", gw.url, "--out", file]);
    const url = await waitFor("the proxy URL", () => /recording (ws:\/\/\S+)/.exec(rec.stderr())?.[1]);

    const ws = new WebSocket(url);
    const answers: any[] = [];
    ws.on("message", (d) => answers.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params: { minProtocol: 1, maxProtocol: 1, client: { id: "c", version: "1", platform: "p", mode: "ui", instanceId: "cli-rec" }, auth: { token: "cli-secret-token" } } }));
    await waitFor("hello-ok", () => answers.find((a) => a.id === 1));
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "system-presence" }));
    await waitFor("the listing", () => answers.find((a) => a.id === 2));
    ws.close(1000, "done");
    await new Promise((r) => ws.once("close", r));

    rec.child.kill("SIGINT");
    expect(await rec.exit).toBe(0);
    expect(rec.stderr()).toContain(`recorded 1 connection(s) into ${file}`);
    const text = await readFile(file, "utf8");
    expect(text).not.toContain("cli-secret-token");
    expect(parseRecording(text).filter((l) => l.dir === "send")).toHaveLength(2);

    const out = join(dir, "session.json");
    const conv = cli(["fixture", "--from", file, "--out", out, "--name", "cli session"]);
    expect(await conv.exit).toBe(0);
    const scenario = checkScenario(JSON.parse(await readFile(out, "utf8")), out);
    expect(scenario.id).toBe("recorded-cli-session");
    expect(scenario.actors.c1!.client!.instanceId).toMatch(/^\$\{run\}-[0-9a-f]{6}-cli-rec$/);
  });

  // Apart from the recording above: each CLI run starts a process (node + tsx), 1.8 to 2.7 s each on a
  // loaded 2-core machine, and the seven in one test went past the 20 s test timeout (clean-clone
  // npm test, load 14-17). These three run side by side on a committed recording.
  it("fixture --out creates a missing folder (and says so), and names the path in the way when it cannot write", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gp-fixture-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = fileURLToPath(new URL("../../fixtures/openclaw-recordings/openclaw-2026.9.6/a-webchat-with-instanceId.jsonl", import.meta.url));
    // A missing folder is created, and said (README: --out fixtures/recorded/NAME.json in a project without one).
    const folder = join(dir, "no-such-dir", "recorded");
    // What cannot be written says which path is in the way, not only Node's code.
    const aFile = join(dir, "session.json");
    await writeFile(aFile, "{}");
    const blocked = join(aFile, "x", "session.json");
    const aFolder = join(dir, "a-folder");
    await mkdir(aFolder);
    const [deeper, unwritable, folderAsFile] = await Promise.all([
      cliResult(["fixture", "--from", file, "--out", join(folder, "session.json")]),
      cliResult(["fixture", "--from", file, "--out", blocked]),
      cliResult(["fixture", "--from", file, "--out", aFolder]),
    ]);
    expect(deeper).toMatchObject({ code: 0, stderr: `wrote ${join(folder, "session.json")} (created the folder ${folder})\n` });
    expect(checkScenario(JSON.parse(await readFile(join(folder, "session.json"), "utf8")), folder).id).toBe("recorded-a-webchat-with-instanceid"); // named after the recording
    expect(unwritable).toMatchObject({
      code: 2,
      stderr: `gateway-presence fixture: cannot write ${blocked}: cannot create the folder ${join(aFile, "x")}: ENOTDIR (a file is in the way: ${aFile}; move it, or write elsewhere)\n`,
    });
    expect(folderAsFile).toMatchObject({ code: 2, stderr: `gateway-presence fixture: cannot write ${aFolder}: it is a folder\n` });
  });

  // Node 20's mkdirSync(..., { recursive: true }) loops forever when a folder that exists refuses a
  // child with ENOENT, as /proc does: the command hung there instead of saying it cannot write.
  it.skipIf(!existsSync("/proc/self"))("fixture --out in a folder that cannot hold folders (/proc) exits 2, naming it, instead of hanging", async () => {
    const file = fileURLToPath(new URL("../../fixtures/openclaw-recordings/openclaw-2026.9.6/a-webchat-with-instanceId.jsonl", import.meta.url));
    const result = await cliResult(["fixture", "--from", file, "--out", "/proc/gp-no-such-dir/session.json"]);
    expect(result).toMatchObject({
      code: 2,
      stderr: "gateway-presence fixture: cannot write /proc/gp-no-such-dir/session.json: cannot create the folder /proc/gp-no-such-dir: ENOENT\n",
    });
  });

  it.each([
    // Usage errors: exit 2 (src/cli/usage.ts).
    [["fixture", "--from", "/no/such/file.jsonl"], 2, /gateway-presence fixture: \/no\/such\/file.jsonl: ENOENT/],
    [["record", "--listen", "nope", "--upstream", "ws://127.0.0.1:1", "--out", "/dev/null"], 2, /--listen <host:port>.*expected HOST:PORT/],
    [["record", "--listen", "127.0.0.1:0", "--upstream", "http://x", "--out", "/dev/null"], 2, /--upstream <url>' argument 'http:\/\/x' is invalid: must be a ws:\/\/ or wss:\/\/ URL/],
    // An --out that cannot be written, before anything is recorded: exit 2, as for conform, fixture and report compare.
    [["record", "--listen", "127.0.0.1:0", "--upstream", "ws://127.0.0.1:1", "--out", "/no/such/dir/x.jsonl"], 2, /^gateway-presence record: cannot write \/no\/such\/dir\/x.jsonl: ENOENT[^\n]*\n$/],
  ] as const)("%j exits %i with a clear message", async (args, code, message) => {
    const run = cli([...args]);
    expect(await run.exit).toBe(code);
    expect(run.stderr()).toMatch(message);
  });

  it("a listen address in use is a runtime failure: exit 1", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = cli(["record", "--listen", `127.0.0.1:${port}`, "--upstream", "ws://127.0.0.1:1", "--out", "/dev/null"]);
      expect(await run.exit).toBe(1);
      expect(run.stderr()).toMatch(/^gateway-presence record: .*EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
