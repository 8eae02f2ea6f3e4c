// `gateway-presence list` and `watch` with --binding openclaw, as real processes against the reference
// gateway's openclaw listener (a jsonrpc SDK client on the other listener provides a row).
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../src/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { waitFor } from "../client/scripted-gateway.js";
import { cli } from "../support/cli.js";
import { scaled } from "../support/timing.js";

const TOKEN = "cli-openclaw-token";
const home = mkdtempSync(join(tmpdir(), "cli-openclaw-"));

/** The CLI with this file's device identity folder and gateway token. */
const ocCli = (args: string[]) => cli(args, { env: { XDG_CONFIG_HOME: home, GATEWAY_PRESENCE_TOKEN: TOKEN } });

/** `watch --json` output: one object per line. */
function jsonLines(stdout: string): Array<{ type: string; state?: string; reason?: string; hint?: string; instances?: PresenceEntry[] }> {
  return stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

describe("CLI list and watch over the openclaw binding", () => {
  let gw: Gateway;
  let sdk: PresenceClient;
  const log: string[] = [];
  afterAll(async () => {
    await sdk?.close();
    await gw?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("list --binding openclaw signs with the persisted device identity and prints every row, whichever binding wrote it", async () => {
    gw = await createGateway({ token: TOKEN, logger: (l) => log.push(l), listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    const [rpcUrl, ocUrl] = gw.listeners.map((l) => l.url);
    sdk = createPresenceClient({ url: rpcUrl!, token: TOKEN, instanceId: "rpc-desk", client: { id: "desk", displayName: "rpc desk", version: "3.0.0", platform: "linux", mode: "ui" } });
    await sdk.connect();

    for (const run of [1, 2]) {
      const r = ocCli(["list", "--binding", "openclaw", "--url", ocUrl!, "--json"]);
      expect(await r.exit, r.stderr()).toBe(0);
      const printed = JSON.parse(r.stdout()) as PresenceEntry[];
      expect(printed.find((e) => e.instanceId === "rpc-desk"), `run ${run}`).toMatchObject({ host: "rpc desk", version: "3.0.0", mode: "ui" });
    }
    const file = join(home, "gateway-presence", "device-identity.json");
    const { deviceId } = JSON.parse(readFileSync(file, "utf8")) as { deviceId: string };
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(log.filter((l) => l.startsWith("device ")).map((l) => /id=(\w+)/.exec(l)?.[1])).toEqual([deviceId, deviceId]);

    const table = ocCli(["list", "--binding", "openclaw", "--url", ocUrl!]);
    expect(await table.exit).toBe(0);
    expect(table.stdout()).toMatch(/^STATUS\s+HOST\s+IP\s+MODE/);
    expect(table.stdout()).toMatch(/Active\s+rpc desk\s+-\s+ui\s+3\.0\.0/);
  });

  it("watch --binding openclaw follows a beacon sent over JSON-RPC", async () => {
    const [, ocUrl] = gw.listeners.map((l) => l.url);
    const run = ocCli(["watch", "--binding", "openclaw", "--url", ocUrl!, "--json"]);
    const lines = () => jsonLines(run.stdout());
    await waitFor(() => lines().some((l) => l.type === "state" && l.state === "open"), "watch to connect", scaled(15_000));
    await sdk.systemEvent({ instanceId: "rpc-desk", text: "typing", lastInputSeconds: 3 });
    await waitFor(() => lines().some((l) => l.instances?.some((e) => e.instanceId === "rpc-desk" && e.text === "typing") ?? false), "the beacon in watch's output");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("watch --binding openclaw against a gateway that says nothing says, while it retries, to leave out --binding openclaw", async () => {
    // Neither a connect.challenge nor an answer in JSON-RPC (a JSON-RPC gateway answers: wrong-binding.test.ts).
    const silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => silent.once("listening", () => resolve()));
    try {
      const run = ocCli(["watch", "--binding", "openclaw", "--url", `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, "--json"]);
      const lines = () => jsonLines(run.stdout());
      // No connect.challenge comes (5 s): the reconnecting line carries the hint; watch goes on retrying.
      await waitFor(() => lines().some((l) => l.state === "reconnecting"), "a failed attempt", scaled(15_000));
      expect(lines().find((l) => l.state === "reconnecting")).toMatchObject({
        reason: "no connect.challenge event within 5000 ms",
        hint: "no OpenClaw connect.challenge came: if the gateway speaks JSON-RPC, leave out --binding openclaw",
      });
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("shows the gateway's own error code (UNAVAILABLE), not only the SPEC name it maps to", async () => {
    const starting = await createGateway({ token: TOKEN, faults: { startsSlowly: true }, listeners: [{ binding: "openclaw", port: 0 }] });
    try {
      const r = ocCli(["list", "--binding", "openclaw", "--url", starting.url]);
      expect(await r.exit).toBe(1);
      expect(r.stderr()).toMatch(/refused: connect: UNAVAILABLE \(INTERNAL_ERROR in SPEC §10\): gateway starting; retry shortly \(the gateway asks to retry/);
    } finally {
      await starting.close();
    }
  });

  it("refuses an unknown --binding with one line", async () => {
    const r = ocCli(["list", "--binding", "carrier-pigeon"]);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/--binding <binding>' argument '[^']*' is invalid: must be one of jsonrpc, openclaw/);
  });
});
