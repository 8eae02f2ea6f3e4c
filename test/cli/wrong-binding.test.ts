// list, watch and doctor against a gateway of the other wire binding, as real processes against the
// reference gateway's two listeners: they stop as soon as the gateway shows which binding it speaks,
// naming it and the flag to use, like conform (test/conformance/run/binding-mismatch.test.ts). A JSON-RPC
// gateway sends nothing first, so the openclaw binding asks on a second connection after half a second
// (src/transport/binding-check.ts) instead of waiting out connect.challenge's timeout. The waits that
// could also end these runs (--timeout-ms, which bounds the challenge wait too) are set to ten minutes,
// far beyond this file's test timeout: a run that waited for one could not pass.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli, cliResult } from "../support/cli.js";

const LONG_MS = "600000";
const home = mkdtempSync(join(tmpdir(), "cli-wrong-binding-"));
const env = { XDG_CONFIG_HOME: home };

const speaksJsonRpc = (url: string) =>
  `cannot use the gateway at ${url}: connect: no connect.challenge: nothing came within 500 ms, and a JSON-RPC request on a second connection got a JSON-RPC answer: this gateway speaks JSON-RPC; connect with binding "jsonrpc" (CLI: --binding jsonrpc)`;
const speaksOpenClaw = (url: string) =>
  `cannot use the gateway at ${url}: connect: the gateway sent an OpenClaw "connect.challenge" event, so it speaks OpenClaw's native frames, not JSON-RPC: connect with binding "openclaw" (CLI: --binding openclaw)`;

describe("list, watch and doctor name a wrong --binding at once", () => {
  let gw: Gateway;
  let rpcUrl: string;
  let ocUrl: string;
  beforeAll(async () => {
    gw = await createGateway({ listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    [rpcUrl, ocUrl] = gw.listeners.map((l) => l.url) as [string, string];
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    ["list", 1],
    ["doctor", 2],
  ] as const)("%s --binding openclaw against a JSON-RPC gateway: 'speaks JSON-RPC', not the challenge timeout", async (command, code) => {
    const run = await cliResult([command, "--binding", "openclaw", "--url", rpcUrl, "--timeout-ms", LONG_MS], { env });
    expect(run.stderr).toBe(`gateway-presence ${command}: ${speaksJsonRpc(rpcUrl)}\n`);
    expect(run.code).toBe(code);
  });

  it.each([
    ["list", 1],
    ["doctor", 2],
  ] as const)("%s (jsonrpc) against an OpenClaw-framed gateway: 'speaks OpenClaw's native frames', not the connect timeout", async (command, code) => {
    const run = await cliResult([command, "--url", ocUrl, "--timeout-ms", LONG_MS], { env });
    expect(run.stderr).toBe(`gateway-presence ${command}: ${speaksOpenClaw(ocUrl)}\n`);
    expect(run.code).toBe(code);
  });

  it("list --binding openclaw against a gateway that says nothing: --timeout-ms bounds the challenge wait, and the hint says what to try", async () => {
    const silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => silent.once("listening", () => resolve()));
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const run = await cliResult(["list", "--binding", "openclaw", "--url", url, "--timeout-ms", "1500"], { env });
      expect(run.stderr).toBe(
        `gateway-presence list: no handshake with the gateway at ${url}: no connect.challenge event within 1500 ms (no OpenClaw connect.challenge came: if the gateway speaks JSON-RPC, leave out --binding openclaw)\n`,
      );
      expect(run.code).toBe(1);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  // watch retries a gateway that does not answer (it may be starting): a wrong binding ends it instead.
  it("watch --binding openclaw against a JSON-RPC gateway exits 1 on its first attempt, not retrying", async () => {
    const run = cli(["watch", "--binding", "openclaw", "--url", rpcUrl, "--json"], { env });
    expect(await run.exit).toBe(1);
    const states = run.stdout().trim().split("\n").map((l) => JSON.parse(l) as { state: string; reason?: string });
    expect(states.map((s) => s.state)).toEqual(["connecting", "closed"]);
    expect(states[1]!.reason).toContain("this gateway speaks JSON-RPC");
    expect(run.stderr()).toBe(`gateway-presence watch: ${speaksJsonRpc(rpcUrl)}\n`);
  });

  it("watch (jsonrpc) against an OpenClaw-framed gateway exits 1 on its first attempt", async () => {
    const run = cli(["watch", "--url", ocUrl, "--json"], { env });
    expect(await run.exit).toBe(1);
    expect(run.stdout().trim().split("\n").map((l) => (JSON.parse(l) as { state: string }).state)).toEqual(["connecting", "closed"]);
    expect(run.stderr()).toBe(`gateway-presence watch: ${speaksOpenClaw(ocUrl)}\n`);
  });
});
