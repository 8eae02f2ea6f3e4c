// The gateway token: --token, --token-file, $GATEWAY_PRESENCE_TOKEN. It never appears in a log line,
// an error, a report or the process title: real `serve`, `list` and `conform` processes are run with
// it, and everything they print or write, and their /proc/<pid>/cmdline, is searched for it.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveToken, TokenOptionError } from "../../src/cli/token.js";
import type { HelloOk } from "../../src/protocol/index.js";
import { connectParams, WireClient } from "../server/helpers.js";
import { urlOf } from "../server/serve/serve-process.js";
import { cli } from "../support/cli.js";
import { scaled } from "../support/timing.js";

const dir = mkdtempSync(join(tmpdir(), "gp-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
const newToken = () => `tok-${randomBytes(16).toString("hex")}`;
function tokenFile(token: string, name = `t-${randomBytes(4).toString("hex")}`): string {
  const file = join(dir, name);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}

describe("the token never leaves the process", () => {
  it("serve --token-file: not in its command line, logs, errors, nor in list's and conform's output and reports", { timeout: scaled(60_000) }, async () => {
    const token = newToken();
    const file = tokenFile(token);
    const serve = cli(["serve", "--port", "0", "--token-file", file]);
    const url = await urlOf(serve);
    expect(serve.output()).toMatch(/listening ws:\/\/127\.0\.0\.1:\d+ jsonrpc \(token required\)/);
    expect(cmdline(serve.child.pid!)).toContain("--token-file");

    // Right and wrong tokens, a token inside a malformed frame, a token in the wrong place.
    const good = await WireClient.open(url);
    await good.result<HelloOk>("connect", connectParams({ token, instanceId: "tok-good" }));
    const wrong = await WireClient.open(url);
    const refused = await wrong.call("connect", connectParams({ token: `${token}x` }));
    expect(refused.error?.data?.code).toBe("UNAUTHORIZED");
    const garbled = await WireClient.open(url);
    garbled.sendRaw(`{"jsonrpc":"2.0","id":1,"method":"connect","params":{"auth":{"token":"${token}"}`);
    const parse = await garbled.waitFor(() => true);
    expect(JSON.stringify(parse)).not.toContain(token);
    const typed = await garbled.call("connect", { ...connectParams(), auth: { token: 42, other: token } });
    expect(typed.error?.data?.code).toBe("INVALID_PARAMS");
    expect(JSON.stringify(typed)).not.toContain(token);

    const list = cli(["list", "--url", url, "--token-file", file, "--json"]);
    expect(await list.exit).toBe(0);
    expect(list.output()).toContain("tok-good");
    const listWrong = cli(["list", "--url", url, "--token", `${token}x`]);
    expect(await listWrong.exit).toBe(1);
    expect(listWrong.output()).toMatch(/UNAUTHORIZED.*the token given is not the gateway's/);

    const reports = ["json", "junit", "html"].map((r) => join(dir, `report.${r}`));
    for (const [i, reporter] of ["json", "junit", "html"].entries()) {
      const conform = cli(["conform", "--url", url, "--token-file", file, "--only", "h5-token,m1-system-presence,h4-hello-ok", "--reporter", reporter, "--out", reports[i]!]);
      expect(await conform.exit, conform.output()).toBe(0);
      expect(conform.output()).not.toContain(token);
    }
    const pretty = cli(["conform", "--url", url, "--only", "h5-token"], { env: { GATEWAY_PRESENCE_TOKEN: token } });
    expect(await pretty.exit, pretty.output()).toBe(0);

    serve.child.kill("SIGTERM");
    expect(await serve.exit).toBe(0);
    const everything = [serve.output(), list.output(), listWrong.output(), pretty.output(), ...reports.map((f) => readFileSync(f, "utf8"))];
    for (const text of everything) expect(text).not.toContain(token);
    expect(serve.output()).toMatch(/reject conn=\S+ reason=UNAUTHORIZED/);
  });

  it("serve --token on the command line: the process title is replaced before the gateway listens", async () => {
    const token = newToken();
    const serve = cli(["serve", "--port", "0", "--token", token]);
    await urlOf(serve);
    const line = cmdline(serve.child.pid!);
    expect(line).not.toContain(token);
    expect(line.trim()).toBe("gateway-presence serve");
    serve.child.kill("SIGTERM");
    expect(await serve.exit).toBe(0);
    expect(serve.output()).not.toContain(token);
  });

  it("serve takes $GATEWAY_PRESENCE_TOKEN and requires it", async () => {
    const token = newToken();
    const serve = cli(["serve", "--port", "0"], { env: { GATEWAY_PRESENCE_TOKEN: token } });
    const url = await urlOf(serve);
    const c = await WireClient.open(url);
    expect((await c.call("connect", connectParams({ token: "nope" }))).error?.data?.code).toBe("UNAUTHORIZED");
    const ok = await WireClient.open(url);
    await ok.result("connect", connectParams({ token }));
    expect(cmdline(serve.child.pid!)).not.toContain(token);
    serve.child.kill("SIGTERM");
    await serve.exit;
    expect(serve.output()).not.toContain(token);
  });

  it("a bad --token-file is refused with its path and the reason, never its content", async () => {
    const token = newToken();
    const twoLines = tokenFile(`${token}\nsecond-${token}`);
    const empty = tokenFile("   ");
    const cases: Array<[string[], RegExp]> = [
      [["--token-file", join(dir, "missing")], /cannot read --token-file .*missing: no such file \(ENOENT\)/],
      [["--token-file", dir], /cannot read --token-file .*: it is a directory \(EISDIR\)/],
      [["--token-file", empty], /--token-file .* is empty/],
      [["--token-file", twoLines], /holds more than one line/],
      [["--token", token, "--token-file", empty], /give --token or --token-file, not both/],
    ];
    for (const [args, message] of cases) {
      const run = cli(["serve", "--port", "0", ...args]);
      expect(await run.exit).toBe(2);
      expect(run.output()).toMatch(message);
      expect(run.output()).not.toContain(token);
      expect(run.output()).not.toMatch(/listening/);
    }
  });

  it("every command warns alike about a token file others may read: on stderr, naming itself, never the token", async () => {
    const token = newToken();
    const file = tokenFile(token);
    chmodSync(file, 0o644);
    const warning = `warning: --token-file ${file} may be read by other users (mode 644); chmod 600 it`;
    for (const args of [["list", "--url", "ws://127.0.0.1:1"], ["doctor", "--url", "ws://127.0.0.1:1"], ["conform", "--list"]]) {
      const run = cli([...args, "--token-file", file]);
      await run.exit;
      expect(run.stderr().split("\n")[0], args[0]).toBe(`gateway-presence ${args[0]}: ${warning}`);
      expect(run.stdout()).not.toContain("may be read");
      expect(run.output()).not.toContain(token);
    }
    const serve = cli(["serve", "--port", "0", "--token-file", file]);
    await urlOf(serve);
    expect(serve.stderr()).toBe(`gateway-presence serve: ${warning}\n`);
    serve.child.kill("SIGTERM");
    expect(await serve.exit).toBe(0);
  });

  it("resolveToken: --token, then the file (trimmed), then the variable; warns about a file others may read", () => {
    const token = newToken();
    const file = tokenFile(`  ${token} \n`);
    expect(resolveToken({ token: "a" }, { GATEWAY_PRESENCE_TOKEN: "b" })).toBe("a");
    expect(resolveToken({ tokenFile: file }, { GATEWAY_PRESENCE_TOKEN: "b" })).toBe(token);
    expect(resolveToken({}, { GATEWAY_PRESENCE_TOKEN: "b" })).toBe("b");
    expect(resolveToken({}, { GATEWAY_PRESENCE_TOKEN: "" })).toBeUndefined();
    expect(() => resolveToken({ token: " " }, {})).toThrow(TokenOptionError);
    const warnings: string[] = [];
    chmodSync(file, 0o644);
    expect(resolveToken({ tokenFile: file }, {}, (w) => warnings.push(w))).toBe(token);
    expect(warnings).toEqual([expect.stringMatching(/may be read by other users \(mode 644\); chmod 600 it/)]);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });
});
