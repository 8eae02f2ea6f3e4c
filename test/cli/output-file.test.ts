// Output files (fixture --out, conform --out/--write-baseline, report compare --out) when several
// writers race for the same file: real processes on the real file system, each writing through
// writeOutputFile (src/cli/output-file.ts) as the commands do, started at the same moment.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, linkSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { writeOutputFile } from "../../src/cli/output-file.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = fileURLToPath(new URL("../../src/cli/output-file.ts", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** What writer `name` writes: a JSON line padded with `pad` copies of its name. */
const textOf = (name: string, pad: number) => `${JSON.stringify({ writer: name, pad: name.repeat(pad) })}\n`;

/**
 * A writer process: once told to start (a line on its stdin) it writes textOf(name, pad) to each of
 * `files` in turn and prints the errors it met ({ file, message }) as JSON. `ready` resolves when
 * it is up and waiting (node + tsx start in 1 to 10 s on a busy machine).
 */
function writer(files: string[], name: string, pad: number): { ready: Promise<void>; go: () => void; errors: Promise<{ file: string; message: string }[]> } {
  const script = `
    import { writeOutputFile } from ${JSON.stringify(MODULE)};
    const [files, name, pad] = JSON.parse(process.env.GP_WRITER);
    const text = JSON.stringify({ writer: name, pad: name.repeat(pad) }) + "\\n";
    process.stdin.once("data", () => {
      const errors = [];
      for (const file of files) {
        try { writeOutputFile(file, text); } catch (error) { errors.push({ file, message: error.message }); }
      }
      process.stdout.write(JSON.stringify(errors));
      process.exit(0);
    });
    process.stdout.write("ready\\n");`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO, env: { ...process.env, GP_WRITER: JSON.stringify([files, name, pad]) } });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  const ready = new Promise<void>((resolve) => child.stdout.on("data", () => out.startsWith("ready\n") && resolve()));
  child.stderr.on("data", (chunk) => (err += chunk));
  const errors = new Promise<{ file: string; message: string }[]>((resolve, reject) =>
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.slice("ready\n".length))) : reject(new Error(`writer exited ${code}: ${err}`)))),
  );
  return { ready, go: () => child.stdin.write("go\n"), errors };
}

/** Starts the writers together, once every one is up; resolves with all their errors. */
async function race(...writers: ReturnType<typeof writer>[]): Promise<{ file: string; message: string }[]> {
  await Promise.all(writers.map((w) => w.ready));
  for (const w of writers) w.go();
  return (await Promise.all(writers.map((w) => w.errors))).flat();
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gp-output-race-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("writeOutputFile with two writers racing", () => {
  it("a folder the other writer creates meanwhile is no error (EEXIST said 'a file is in the way'), and each file is whole", { timeout: 120_000 }, async () => {
    const dir = await scratch();
    const files = Array.from({ length: 400 }, (_, i) => join(dir, String(i), "recorded", "session.json"));
    const [a, b] = [textOf("a", 0), textOf("b", 0)];
    const errors = await race(writer(files, "a", 0), writer(files, "b", 0));
    expect(errors).toEqual([]);
    for (const file of files) expect([a, b]).toContain(readFileSync(file, "utf8"));
  });

  it("a reader never sees half a file or the two texts mixed, and no temporary file is left", { timeout: 120_000 }, async () => {
    const dir = await scratch();
    const file = join(dir, "report.json");
    // Different lengths: an in-place write of the shorter over the longer left the longer's tail.
    const [a, b] = [textOf("a", 3_000_000), textOf("b", 1_000_000)];
    const writers = race(writer(Array(60).fill(file), "a", 3_000_000), writer(Array(60).fill(file), "b", 1_000_000));
    let done = false;
    void writers.finally(() => (done = true));
    const seen = { reads: 0, whole: 0, other: [] as string[] };
    while (!done) {
      if (existsSync(file)) {
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          continue; // renamed over between the look and the read
        }
        seen.reads++;
        if (text === a || text === b) seen.whole++;
        else if (seen.other.length < 3) seen.other.push(`${text.length} characters: ${text.slice(0, 20)}...${text.slice(-20)}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await writers).toEqual([]);
    expect(seen.other).toEqual([]);
    expect(seen.whole).toBe(seen.reads);
    expect([a, b]).toContain(readFileSync(file, "utf8"));
    expect(readdirSync(dir)).toEqual(["report.json"]);
  });
});

describe("writeOutputFile over an existing file", () => {
  it("keeps its permissions and its other names (hard links), as writing it in place did", async () => {
    const dir = await scratch();
    const file = join(dir, "report.json");
    writeFileSync(file, "old\n", { mode: 0o600 });
    chmodSync(file, 0o600);
    linkSync(file, join(dir, "also-report.json"));
    writeOutputFile(file, "new\n");
    // The rename gave a new file: 0644 (the umask's), and the other name kept the old text.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "also-report.json"), "utf8")).toBe("new\n");
    const lone = join(dir, "lone.json");
    writeFileSync(lone, "old\n");
    chmodSync(lone, 0o640);
    writeOutputFile(lone, "new\n");
    expect([statSync(lone).mode & 0o777, readFileSync(lone, "utf8")]).toEqual([0o640, "new\n"]);
    expect(readdirSync(dir).sort()).toEqual(["also-report.json", "lone.json", "report.json"]);
  });
});

describe("writeOutputFile with a file where its folder should be", () => {
  it("names the file in the way, as when it is further up (it said only 'ENOTDIR: not a directory, open ...')", async () => {
    const dir = await scratch();
    const aFile = join(dir, "x");
    writeFileSync(aFile, "not a folder\n");
    const move = `(a file is in the way: ${aFile}; move it, or write elsewhere)`;
    expect(() => writeOutputFile(join(aFile, "NAME.json"), "{}")).toThrow(`cannot create the folder ${aFile}: EEXIST ${move}`);
    expect(() => writeOutputFile(join(aFile, "sub", "NAME.json"), "{}")).toThrow(`cannot create the folder ${join(aFile, "sub")}: ENOTDIR ${move}`);
    expect(readFileSync(aFile, "utf8")).toBe("not a folder\n");
    expect(readdirSync(dir)).toEqual(["x"]);
  });
});

/** Whether this process can make a folder immutable (chattr +i: root, on a file system that has it). */
function canFreezeFolders(): boolean {
  const probe = join(tmpdir(), `gp-chattr-${process.pid}`);
  spawnSync("mkdir", ["-p", probe]);
  const ok = spawnSync("chattr", ["+i", probe]).status === 0;
  spawnSync("chattr", ["-i", probe]);
  spawnSync("rmdir", [probe]);
  return ok;
}

describe("writeOutputFile in a folder that takes no new files", () => {
  it.skipIf(!canFreezeFolders())("writes an existing writable file in place (no temporary file can be made beside it)", async () => {
    const dir = await scratch();
    const file = join(dir, "report.json");
    writeOutputFile(file, "old\n");
    expect(spawnSync("chattr", ["+i", dir]).status).toBe(0);
    cleanups.unshift(async () => void spawnSync("chattr", ["-i", dir]));
    writeOutputFile(file, "new\n");
    expect(readFileSync(file, "utf8")).toBe("new\n");
    // A new file there cannot be written: the error names it, not a temporary name.
    expect(() => writeOutputFile(join(dir, "other.json"), "x")).toThrow(`EPERM: operation not permitted, open '${join(dir, "other.json")}'`);
  });
});
