// A --url may hold secrets: a token in its query (`?token=`, as OpenClaw's dashboard links carry) or
// `user:password@`. `list`, `watch`, `doctor` and `conform` are run as real processes with such a
// URL, against a closed port (unreachable), against the reference gateway behind a loopback relay
// that records what reached it (refused, then reached), and with a URL commander refuses: nothing
// they print holds a secret, every message still names the host and port, and the URL itself is
// used as given (the gateway still receives the query and the `Authorization: Basic` of user:password).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/doctor/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli, cliResult } from "../support/cli.js";
import { closedPort } from "../support/ports.js";
import { scaled } from "../support/timing.js";

const dir = mkdtempSync(join(tmpdir(), "gp-url-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const QUERY_TOKEN = "QUERYSECRET-7f3a9c";
const SESSION = "SESSIONSECRET-51be";
const PASSWORD = "PASSWORDSECRET-c0de";
const GATEWAY_TOKEN = "GATEWAYTOKEN-9e21";
const SECRETS = [QUERY_TOKEN, SESSION, PASSWORD, GATEWAY_TOKEN, encodeURIComponent(PASSWORD), Buffer.from(`alice:${PASSWORD}`).toString("base64")];
/** The URL the commands are given: every kind of secret a URL can carry. */
const secretUrl = (port: number) => `ws://alice:${PASSWORD}@127.0.0.1:${port}/?token=${QUERY_TOKEN}&session=${SESSION}`;
/** The same URL as every message must show it. */
const shownUrl = (port: number) => `ws://<REDACTED>@127.0.0.1:${port}/?token=<REDACTED>&session=<REDACTED>`;

const tokenFile = join(dir, "token");
writeFileSync(tokenFile, `${GATEWAY_TOKEN}\n`, { mode: 0o600 });

const ENV = { env: { NO_COLOR: "1" } };
const result = (args: string[]) => cliResult(args, ENV);

/** Runs `args` until `done(stdout)` holds (or it exits), then stops it. */
async function cliUntil(args: string[], done: (stdout: string) => boolean): Promise<{ stdout: string; stderr: string }> {
  const run = cli(args, ENV);
  const deadline = Date.now() + scaled(20_000);
  while (!done(run.stdout()) && run.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  run.child.kill("SIGINT");
  await run.exit;
  return { stdout: run.stdout(), stderr: run.stderr() };
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text, `${secret} printed`).not.toContain(secret);
}

/**
 * A TCP relay on loopback in front of `target`: records each connection's HTTP request head (the
 * upgrade request, with the URL's path and query and its headers), then passes bytes both ways.
 */
async function recordingRelay(target: number): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: target });
    sockets.add(client).add(upstream);
    let head = "";
    client.on("data", (chunk) => {
      if (!head.includes("\r\n\r\n")) {
        head += chunk.toString("latin1");
        if (head.includes("\r\n\r\n")) heads.push(head.slice(0, head.indexOf("\r\n\r\n")));
      }
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    heads,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("a --url with a token or user:password is never printed", () => {
  const gateways: Gateway[] = [];
  const relays: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  it("unreachable gateway: list, doctor and watch (table and --json) name host and port, not the secrets", async () => {
    const port = await closedPort();
    const url = secretUrl(port);
    const [list, doctor, watchJson, watchTable] = await Promise.all([
      result(["list", "--url", url, "--timeout-ms", "3000"]),
      result(["doctor", "--url", url, "--timeout-ms", "3000"]),
      // watch retries an unreachable gateway: stopped once it reported a failed attempt.
      cliUntil(["watch", "--json", "--url", url], (out) => out.includes('"reconnecting"')),
      cliUntil(["watch", "--url", url], (out) => out.includes("reconnecting to")),
    ]);
    const refused = `cannot open ${shownUrl(port)}: ECONNREFUSED`;
    expect(list.code).toBe(1);
    // The URL once: the client's "cannot open <url>: " is not repeated after "at <url>: ".
    expect(list.stderr).toBe(`gateway-presence list: cannot reach the gateway at ${shownUrl(port)}: ECONNREFUSED (connection refused: nothing listens there; is a gateway running there? \`gateway-presence serve\` starts one)\n`);
    expect(doctor.code).toBe(2);
    expect(doctor.stderr).toBe(`gateway-presence doctor: cannot reach the gateway at ${shownUrl(port)}: ECONNREFUSED (connection refused: nothing listens there; is a gateway running there? \`gateway-presence serve\` starts one)\n`);
    const reconnecting = watchJson.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { state: string; reason?: string })
      .find((line) => line.state === "reconnecting");
    expect(reconnecting?.reason).toBe(refused);
    // The table's state line names the URL once: the client's "cannot open <url>: " is left out.
    const stateLine = watchTable.stdout.split("\n").find((line) => line.startsWith("○ reconnecting to"));
    expect(stateLine?.replace(/ in \d+ms /, " in Nms ")).toBe(`○ reconnecting to ${shownUrl(port)} in Nms (attempt 1): ECONNREFUSED`);
    expect(watchTable.stdout).not.toContain(refused);
    expectNoSecret(list.stdout, list.stderr, doctor.stdout, doctor.stderr, watchJson.stdout, watchJson.stderr, watchTable.stdout, watchTable.stderr);
  }, scaled(40_000));

  it("a gateway that refuses, then reads: messages and reports redact the URL, which still reaches the gateway as given", async () => {
    const gw = await createGateway({ host: "127.0.0.1", port: 0, token: GATEWAY_TOKEN });
    gateways.push(gw);
    const relay = await recordingRelay(Number(new URL(gw.url).port));
    relays.push(relay);
    const url = secretUrl(relay.port);
    const withToken = ["--url", url, "--token-file", tokenFile];
    const [refused, listed, doctorText, doctorJson, watchTable] = await Promise.all([
      result(["list", "--url", url]),
      result(["list", ...withToken, "--json"]),
      result(["doctor", ...withToken]),
      result(["doctor", ...withToken, "--json"]),
      cliUntil(["watch", ...withToken], (out) => out.includes("● open")),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^gateway-presence list: gateway at ${escape(shownUrl(relay.port))} refused: connect: UNAUTHORIZED: `));
    // The URL's token is not a gateway token (SPEC H5 reads auth.token only): with --token-file it reads.
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBeGreaterThanOrEqual(1);
    expect(doctorText.stderr).toBe("");
    expect(doctorText.stdout.split("\n")[0]).toBe(`gateway-presence doctor  ${shownUrl(relay.port)}`);
    expect((JSON.parse(doctorJson.stdout) as DoctorReport).gateway.url).toBe(shownUrl(relay.port));
    expect(watchTable.stdout).toMatch(new RegExp(`● open {2}${escape(shownUrl(relay.port))} {2}\\d+ instances? {2}v\\d+`));
    expectNoSecret(...[refused, listed, doctorText, doctorJson, watchTable].flatMap((r) => [r.stdout, r.stderr]));

    // Display only: every command's upgrade request carried the query and user:password as given.
    // The doctor's and watch's GET /healthz (plain HTTP requests beside the upgrade) carry neither.
    const healthz = relay.heads.filter((head) => head.startsWith("GET /healthz "));
    expect(healthz.length).toBeGreaterThanOrEqual(3); // the doctor twice, watch on each connection and every 2 s
    for (const head of healthz) expectNoSecret(head);
    const upgrades = relay.heads.filter((head) => !healthz.includes(head));
    expect(upgrades.length).toBeGreaterThanOrEqual(5);
    const basic = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString("base64")}`;
    for (const head of upgrades) {
      expect(head.split("\r\n")[0]).toBe(`GET /?token=${QUERY_TOKEN}&session=${SESSION} HTTP/1.1`);
      expect(head).toMatch(new RegExp(`^authorization: ${escape(basic)}$`, "im"));
    }
  }, scaled(40_000));

  it("a --url commander refuses, and conform's messages, hold no secret either", async () => {
    const port = await closedPort();
    const http = `http://alice:${PASSWORD}@127.0.0.1:${port}/?token=${QUERY_TOKEN}&session=${SESSION}`;
    const badPort = `ws://alice:${PASSWORD}@127.0.0.1:99999/?token=${QUERY_TOKEN}`;
    const runs = await Promise.all(
      [
        ["list", "--url", http],
        ["watch", `--url=${badPort}`],
        ["doctor", "--url", badPort],
        ["conform", "--url", secretUrl(port), "--wait-ready", "0"],
      ].map(async (args) => {
        return { args, ...(await result(args)) };
      }),
    );
    const [list, watch, doctor, conform] = runs;
    expect(list.code).toBe(2);
    expect(list.stderr).toBe(`gateway-presence list: option '--url <url>' argument 'http://<REDACTED>@127.0.0.1:${port}/?token=<REDACTED>&session=<REDACTED>' is invalid: must be a ws:// or wss:// URL\n`);
    // Not a URL at all (port 99999): redacted by what it looks like.
    for (const run of [watch, doctor]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`gateway-presence ${run.args[0]}: option '--url <url>' argument 'ws://<REDACTED>@127.0.0.1:99999/?token=<REDACTED>' is invalid: must be a ws:// or wss:// URL\n`);
    }
    expect(conform.code).toBe(2);
    expect(conform.stdout + conform.stderr).toContain(`127.0.0.1:${port}`);
    expectNoSecret(...runs.flatMap((r) => [r.stdout, r.stderr]));
  }, scaled(40_000));
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
