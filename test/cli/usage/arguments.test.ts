// Usage errors (unknown option, bad value, missing argument, options that do not go together) exit 2
// on every command, with one line naming what was wrong and never a stack trace; exit 1 stays for
// runtime failures (src/cli/usage.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliArgv, cliResult } from "../../support/cli.js";
import { scaled } from "../../support/timing.js";

const dir = mkdtempSync(join(tmpdir(), "cli-arguments-"));
const notARecording = join(dir, "not-a-recording.jsonl");
writeFileSync(notARecording, "this is not JSON\n");

/** Synchronous: many short runs that each end by themselves (test/support/cli.ts has the asynchronous runner). */
function run(...args: string[]) {
  const env = { ...process.env };
  delete env.GATEWAY_PRESENCE_TOKEN;
  const [node, ...argv] = cliArgv(args);
  return spawnSync(node, argv, { encoding: "utf8", timeout: scaled(20_000), env });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CLI usage errors exit 2 on every command", () => {
  it.each([
    [["list", "--url", "http://127.0.0.1:1"], /--url <url>' argument '[^']*' is invalid: must be a ws:\/\/ or wss:\/\/ URL/],
    [["list", "--timeout-ms", "abc"], /--timeout-ms <ms>' argument '[^']*' is invalid: must be an integer/],
    [["list", "--timeout-ms", "10abc"], /--timeout-ms <ms>' argument '[^']*' is invalid: must be an integer/],
    [["list", "--bogus"], /unknown option '--bogus'/],
    [["list", "--token", "t", "--token-file", notARecording], /gateway-presence list: give --token or --token-file, not both/],
    [["watch", "--url", "not a url"], /--url <url>' argument '[^']*' is invalid: must be a ws:\/\/ or wss:\/\/ URL/],
    [["watch", "--resync-ms", "5"], /--resync-ms <ms>' argument '[^']*' is invalid: must be an integer from 1000/],
    [["watch", "--timeout-ms", "0"], /--timeout-ms <ms>' argument '[^']*' is invalid: must be an integer from 1 to 2147483647/],
    // Node's timers fire after 1 ms for a delay over 2^31 - 1: such a value is refused, not run at once.
    [["list", "--timeout-ms", "3000000000"], /--timeout-ms <ms>' argument '[^']*' is invalid: must be an integer from 1 to 2147483647/],
    [["watch", "--refresh-ms", "3000000000"], /--refresh-ms <ms>' argument '[^']*' is invalid: must be an integer from 100 to 2147483647/],
    [["serve", "--tick-interval-ms", "3000000000"], /--tick-interval-ms <ms>' argument '[^']*' is invalid: must be an integer from 1 to 2147483647/],
    [["conform", "--wait-ready", "3000000000"], /--wait-ready <ms>' argument '[^']*' is invalid: must be an integer from 0 to 2147483647/],
    [["conform", "--timeout", "0"], /--timeout <ms>' argument '[^']*' is invalid: must be an integer from 1 to 2147483647/],
    [["conform", "--step-timeout", "3000000000"], /--step-timeout <ms>' argument '[^']*' is invalid: must be an integer from 1 to 2147483647/],
    [["conform", "--binding", "grpc", "--list"], /--binding <binding>' argument '[^']*' is invalid: must be one of jsonrpc, openclaw/],
    [["watch", "--bogus"], /unknown option '--bogus'/],
    [["watch", "--token-file", join(dir, "missing")], /gateway-presence watch: cannot read --token-file .*missing: no such file \(ENOENT\)/],
    [["serve", "--port", "70000"], /--port <port>' argument '70000' is invalid: must be an integer from 0 to 65535/],
    [["serve", "--bogus"], /unknown option '--bogus'/],
    [["serve", "--gateway-id", "a"], /gateway-presence serve: --gateway-id, --redis-prefix and --dead-after-ms need --redis/],
    [["record", "--listen", "nowhere", "--upstream", "ws://127.0.0.1:1", "--out", join(dir, "r.jsonl")], /--listen <host:port>' argument 'nowhere' is invalid: expected HOST:PORT/],
    [["record", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1", "--out", join(dir, "r.jsonl")], /--upstream <url>' argument '[^']*' is invalid: must be a ws:\/\/ or wss:\/\/ URL/],
    [["record", "--listen", "127.0.0.1:0"], /required option '--upstream <url>' not specified/],
    [["fixture"], /required option '--from <file>' not specified/],
    [["fixture", "--from", join(dir, "missing.jsonl")], /gateway-presence fixture: .*missing\.jsonl: ENOENT/],
    [["fixture", "--from", notARecording], /gateway-presence fixture: .*not-a-recording\.jsonl/],
    [["fixture", "--from", notARecording, "--bogus"], /unknown option '--bogus'/],
    [["conform", "--bogus"], /unknown option '--bogus'/],
    [["conform", "--token", "t", "--token-file", notARecording, "--list"], /^gateway-presence conform: give --token or --token-file, not both\n$/],
    [["doctor", "--token", "t", "--token-file", notARecording], /^gateway-presence doctor: give --token or --token-file, not both\n$/],
    [["serve", "--token", "t", "--token-file", notARecording], /^gateway-presence serve: give --token or --token-file, not both\n$/],
    [["report", "compare"], /missing required argument 'columns'/],
    // Every choice option in one wording (--binding's), commander's own .choices() check included: no "allowed choices are".
    [["report", "compare", "a.json", "--format", "pdf"], /^gateway-presence report compare: option '--format <format>' argument 'pdf' is invalid: must be one of html, markdown\n$/],
    [["conform", "--reporter", "xml"], /^gateway-presence conform: option '--reporter <name>' argument 'xml' is invalid: must be one of pretty, json, junit, html\n$/],
    [["conform", "--reporter=xml", "--list"], /^gateway-presence conform: option '--reporter <name>' argument 'xml' is invalid: must be one of pretty, json, junit, html\n$/],
    [["conform", "--with", "teleport,token", "--list"], /^gateway-presence conform: option '--with <capabilities>' argument 'teleport,token' is invalid: unknown capability teleport: each must be one of testClock, token, .*, cluster\n$/],
    [["serve", "--binding", "grpc"], /^gateway-presence serve: option '--binding <binding>' argument 'grpc' is invalid: must be one of jsonrpc, openclaw\n$/],
    // --listen's compound value: the error names the part that is wrong, not only the whole argument.
    [["serve", "--listen", "grpc=1234"], /^gateway-presence serve: option '--listen <binding=host:port>' argument 'grpc=1234' is invalid: BINDING 'grpc' must be one of jsonrpc, openclaw\n$/],
    [["serve", "--listen", "jsonrpc=127.0.0.1:70000"], /^gateway-presence serve: option '--listen <binding=host:port>' argument 'jsonrpc=127.0.0.1:70000' is invalid: PORT '70000' must be an integer from 0 to 65535\n$/],
    [["doctor", "--watch-ms", "x"], /--watch-ms <ms>' argument '[^']*' is invalid: must be an integer/],
    [["nosuch"], /unknown command 'nosuch'/],
  ])("%j", (args, message) => {
    const result = run(...args);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("commander's own errors name the command as ours do (`gateway-presence list: ...`), not `error: ...`", async () => {
    const runs = await Promise.all(
      [["list", "--bogus"], ["conform", "--timeout", "0"], ["report", "compare"], ["nosuch"]].map((args) => cliResult(args)),
    );
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [2, "gateway-presence list: unknown option '--bogus'\n"],
      [2, "gateway-presence conform: option '--timeout <ms>' argument '0' is invalid: must be an integer from 1 to 2147483647\n"],
      [2, "gateway-presence report compare: missing required argument 'columns'\n"],
      [2, "gateway-presence: unknown command 'nosuch'\n"],
    ]);
  });

  it("--help describes every command alike: starting with a small letter", () => {
    const help = run("--help");
    expect(help.status).toBe(0);
    const commands = help.stdout.split("Commands:\n")[1]!.split("\n").filter((line) => /^ {2}\S/.test(line));
    expect(commands.length).toBeGreaterThan(8);
    for (const line of commands) expect(line).toMatch(/^ {2}\S+(?: \S+)* {2,}[a-z]/);
    for (const args of [["report", "--help"], ["serve", "--help"], ["conform", "--help"]]) expect(run(...args).stdout.split("\n")[2], args.join(" ")).toMatch(/^[a-z]/);
  });

  it("--binding is read alike by every command: letter case does not matter", () => {
    const conform = run("conform", "--binding", "OpenClaw", "--only", "h1-handshake-timeout", "--list");
    expect(conform.stderr).toBe("");
    expect(conform.status).toBe(0);
    expect(conform.stdout).toMatch(/^h1-handshake-timeout /);
  });

  it("every command's --help ends with its exit codes, 2 being the usage error everywhere", { timeout: scaled(90_000) }, () => {
    const commands = [["list"], ["watch"], ["doctor"], ["conform"], ["serve"], ["record"], ["fixture"], ["report"], ["report", "compare"]];
    for (const command of commands) {
      const help = run(...command, "--help");
      expect(help.status).toBe(0);
      const codes = help.stdout.split("\nExit codes:\n")[1];
      expect(codes, command.join(" ")).toBeDefined();
      expect(codes!.match(/^ {2}\d/gm)!.map((line) => line.trim())[0]).toBe("0");
      expect(codes!.replace(/\n {5}/g, " "), command.join(" ")).toMatch(
        /^ {2}2 {2}(?:.*, or )?a usage error: an unknown option, a bad value, a missing argument, options that do not go together, a file named by an option that cannot be read or written$/m,
      );
    }
    expect(run("watch", "--help").stdout.replace(/\n {5}/g, " ")).toMatch(/^ {2}1 {2}a fatal answer .*, or no list within --timeout-ms$/m);
  });

  it("--help and --version still exit 0", () => {
    for (const args of [["--version"], ["list", "--help"], ["report", "compare", "--help"]]) expect(run(...args).status, args.join(" ")).toBe(0);
  });

  it("a runtime failure still exits 1: list cannot reach the gateway, serve refuses a non-loopback host without a token", () => {
    const list = run("list", "--url", "ws://127.0.0.1:1", "--timeout-ms", "2000");
    expect(list.status).toBe(1);
    expect(list.stderr).toMatch(/cannot reach the gateway at ws:\/\/127\.0\.0\.1:1/);
    const serve = run("serve", "--host", "0.0.0.0", "--port", "0");
    expect(serve.status).toBe(1);
    expect(serve.stderr).toMatch(/refusing to listen on non-loopback host/);
  });
});
