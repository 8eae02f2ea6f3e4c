// OpenClaw's own CLI (a real client nobody here wrote) lists the reference gateway's rows over the
// openclaw listener, including a row an SDK client wrote over JSON-RPC to the other listener. Runs
// when the OpenClaw 2026.9.6 peer install exists (both releases: `npm run interop:openclaw-cli`).
import { afterAll, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../src/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { findOpenClawInstall, runOpenClawCli } from "../../scripts/interop/openclaw-install.js";
import { scaled } from "../support/timing.js";

const install = findOpenClawInstall("2026.9.6");
const missing = "missing" in install ? install.missing : undefined;

describe.skipIf(missing !== undefined)(`OpenClaw 2026.9.6's CLI against the reference gateway${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let gw: Gateway | undefined;
  let sdk: PresenceClient | undefined;
  afterAll(async () => {
    await sdk?.close();
    await gw?.close();
  });

  it("`openclaw system presence --json` lists the self row and the SDK's JSON-RPC row", async () => {
    if ("missing" in install) return;
    const token = "openclaw-cli-test-token";
    gw = await createGateway({ token, listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    const [rpc, oc] = gw.listeners;
    sdk = createPresenceClient({ url: rpc!.url, token, instanceId: "sdk-desk-1", client: { id: "sdk-desk", displayName: "SDK desk", version: "1.0.0", platform: "linux", mode: "ui" } });
    await sdk.connect();
    await sdk.systemEvent({ instanceId: "sdk-desk-1", ip: "192.168.1.40", text: "typing" });

    const run = await runOpenClawCli(install, ["system", "presence", "--url", oc!.url, "--token", token, "--json"], { timeoutMs: 100_000 });
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout.slice(run.stdout.indexOf("["))) as PresenceEntry[];
    expect(rows.find((r) => r.reason === "self")).toMatchObject({ mode: "gateway" });
    expect(rows.find((r) => r.instanceId === "sdk-desk-1")).toMatchObject({ host: "SDK desk", ip: "192.168.1.40", text: "typing", mode: "ui" });
    // The CLI itself connects with mode "cli": never recorded (SPEC P3).
    expect(rows.some((r) => r.mode === "cli")).toBe(false);
    expect(await sdk.systemPresence()).toHaveLength(2);
  }, scaled(120_000));
});
