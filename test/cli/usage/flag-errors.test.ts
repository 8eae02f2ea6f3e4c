// A bad value that only the gateway's (or the SDK's) own checks catch is reported with the flag the
// user typed and the value given, never with the API option behind it (`trustedProxies`,
// `allowOrigins`, `listeners[1]`, `redis presence store: gatewayId`), and never with a secret (a
// token, a Redis password, a device's private key). Real CLI processes (test/support/cli.ts); every
// address is loopback or 192.0.2.1 (TEST-NET-1, never this machine's: its listen fails locally with
// EADDRNOTAVAIL, no packet leaves).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateNodeDeviceIdentity } from "../../../src/client/node.js";
import { cliResult } from "../../support/cli.js";
import { closedPort } from "../../support/ports.js";

const dir = mkdtempSync(join(tmpdir(), "gp-flag-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Secrets given on these command lines: none may be printed. */
const SECRET = "hunter2-flag-errors";

/** API option names that must not reach a command-line user. */
const API_NAMES = /trustedProxies|allowOrigins|listeners\[|gatewayId|redis presence store|: (?:prefix|url) |gateway: /;

async function expectUsage(args: string[], stderr: string, options: { code?: number; env?: Record<string, string> } = {}): Promise<void> {
  const result = await cliResult(args, { env: options.env });
  expect({ code: result.code, stderr: result.stderr }, args.join(" ")).toEqual({ code: options.code ?? 2, stderr });
  expect(result.stdout + result.stderr).not.toContain(SECRET);
  expect(result.stderr).not.toMatch(API_NAMES);
}

describe("serve: a bad value names the flag and the value", () => {
  it("--trusted-proxy, --allow-origin, --host: at parse time, in commander's wording for every bad value", async () => {
    const prefix = "gateway-presence serve: option ";
    await Promise.all([
      expectUsage(
        ["serve", "--port", "0", "--trusted-proxy", "bogus"],
        `${prefix}'--trusted-proxy <address>' argument 'bogus' is invalid: not an IP address, a CIDR subnet or loopback/linklocal/uniquelocal (invalid IP address: bogus)\n`,
      ),
      // The second of two: the one that is wrong is named.
      expectUsage(
        ["serve", "--port", "0", "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "0.0.0.0/0"],
        `${prefix}'--trusted-proxy <address>' argument '0.0.0.0/0' is invalid: would trust every address (a prefix of 0), so any client could claim any ip; give the proxies' own addresses or subnets\n`,
      ),
      expectUsage(
        ["serve", "--port", "0", "--allow-origin", "https://presence.example.com/instances"],
        `${prefix}'--allow-origin <origin>' argument 'https://presence.example.com/instances' is invalid: not an origin: expected http(s)://host[:port] without a path\n`,
      ),
      expectUsage(["serve", "--port", "0", "--host", " "], `${prefix}'--host <host>' argument ' ' is invalid: must be an address or host name to listen on, not empty\n`),
    ]);
  });

  it("--listen: two listeners on one address are named as typed, not as listeners[0] and listeners[1]", async () => {
    const port = await closedPort();
    await expectUsage(
      ["serve", "--listen", `jsonrpc=${port}`, "--listen", `OpenClaw=127.0.0.1:${port}`],
      `gateway-presence serve: --listen jsonrpc=${port} and --listen openclaw=127.0.0.1:${port} are both on 127.0.0.1:${port}: one address serves one listener, give each its own port\n`,
    );
  });

  it("--host or --listen on an address this machine does not have: exit 1, naming the flag, never the token", async () => {
    const token = join(dir, "token");
    writeFileSync(token, `${SECRET}\n`, { mode: 0o600 });
    const notHere = "not an address of this machine (listen EADDRNOTAVAIL: address not available 192.0.2.1)";
    await Promise.all([
      expectUsage(["serve", "--host", "192.0.2.1", "--port", "0", "--token-file", token], `gateway-presence serve: --host 192.0.2.1: ${notHere}\n`, { code: 1 }),
      expectUsage(
        ["serve", "--listen", "jsonrpc=127.0.0.1:0", "--listen", "openclaw=192.0.2.1:0", "--token", SECRET],
        `gateway-presence serve: --listen openclaw=192.0.2.1:0: ${notHere}\n`,
        { code: 1 },
      ),
      // A listener without a host of its own listens on --host: --host is the flag to fix.
      expectUsage(["serve", "--host", "192.0.2.1", "--listen", "jsonrpc=0", "--token", SECRET], `gateway-presence serve: --host 192.0.2.1: ${notHere}\n`, { code: 1 }),
    ]);
  });

  it("--gateway-id, --redis-prefix and the Redis URL: named by their flag (or variable), the password never shown", async () => {
    const redis = `redis://:${SECRET}@127.0.0.1:1`;
    const invalidUrl = "is not a valid URL (host, port 1-65535, a password with reserved characters percent-encoded)";
    await Promise.all([
      expectUsage(["serve", "--port", "0", "--redis", redis, "--gateway-id", "gw/1"], 'gateway-presence serve: --gateway-id must be 1-64 characters of A-Z a-z 0-9 . _ -, got "gw/1"\n'),
      expectUsage(["serve", "--port", "0", "--redis", redis, "--redis-prefix", "my list"], 'gateway-presence serve: --redis-prefix must be a non-empty string without spaces, got "my list"\n'),
      // A `%` not followed by two hex digits: ioredis's decodeURIComponent threw "URI malformed", exit 1, naming nothing.
      expectUsage(["serve", "--port", "0", "--redis", `rediss://:${SECRET}%zz@127.0.0.1:1`], `gateway-presence serve: --redis ${invalidUrl}: "rediss://***@127.0.0.1:1"\n`),
      expectUsage(["serve", "--port", "0"], `gateway-presence serve: $GATEWAY_PRESENCE_REDIS_URL ${invalidUrl}: "redis://***@127.0.0.1:1"\n`, {
        env: { GATEWAY_PRESENCE_REDIS_URL: `redis://:${SECRET}%@127.0.0.1:1` },
      }),
    ]);
  });
});

describe("other commands: a value the SDK refuses names its flag", () => {
  it("record --listen on an address this machine does not have: exit 1, naming --listen", async () => {
    await expectUsage(
      ["record", "--listen", "192.0.2.1:0", "--upstream", "ws://127.0.0.1:1", "--out", join(dir, "session.jsonl")],
      "gateway-presence record: --listen 192.0.2.1:0: not an address of this machine (listen EADDRNOTAVAIL: address not available 192.0.2.1)\n",
      { code: 1 },
    );
  });

  it("list, watch, doctor --identity: a device identity file that cannot be used is a usage error naming it, before any connection", async () => {
    const notJson = join(dir, "not-json.json");
    writeFileSync(notJson, "{bad");
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    // A stored identity whose deviceId is not its key's: the message names the field, never the private key.
    const stored = await generateNodeDeviceIdentity();
    const mismatched = join(dir, "mismatched.json");
    writeFileSync(mismatched, JSON.stringify({ ...stored, deviceId: "0".repeat(64) }), { mode: 0o600 });
    // Port 1 on loopback: nothing listens; the check comes first, so no "cannot reach the gateway".
    const url = ["--url", "ws://127.0.0.1:1", "--binding", "openclaw"];
    const results = await Promise.all([
      cliResult(["list", ...url, "--identity", notJson]),
      cliResult(["watch", ...url, "--identity", folder]),
      cliResult(["doctor", ...url, "--identity", mismatched]),
    ]);
    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [2, `gateway-presence list: cannot use --identity ${notJson}: stored device identity: not valid JSON (at position 1)\n`],
      [2, `gateway-presence watch: cannot use --identity ${folder}: it is a directory (EISDIR)\n`],
      [2, `gateway-presence doctor: cannot use --identity ${mismatched}: stored device identity: deviceId does not match publicKey\n`],
    ]);
    for (const r of results) expect(r.stdout + r.stderr).not.toContain(stored.privateKeyPkcs8);
  });

  it("conform --fixtures: a path that cannot be read names the flag", async () => {
    await expectUsage(["conform", "--list", "--fixtures", join(dir, "no-such-fixtures")], `gateway-presence conform: --fixtures ${join(dir, "no-such-fixtures")}: no such file or directory\n`);
  });
});
