// The client SDK itself in Chromium: the page's openclaw binding makes and keeps an Ed25519 device
// identity with WebCrypto and signs the connect challenge (verified here with Node's crypto); and
// `gateway-presence serve` (what `npm start` runs) serves the built page from dist/web.
import { createHash, createPublicKey, verify } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WEB_OUT_DIR } from "../../scripts/web/build.js";
import { buildDeviceAuthPayload, base64UrlDecode, type DeviceAuthBlock } from "../../src/transport/device-identity.js";
import { cli } from "../support/cli.js";
import { CHROMIUM, useChromium, cell, nodeClient, openPage, pageErrors, pageUrl, row, skipNote, startGateway, waitLive } from "./harness.js";


interface Signed {
  wire: { client: { id: string; mode: string; platform: string; deviceFamily?: string }; role?: string; scopes: string[]; device: DeviceAuthBlock };
  deviceId: string;
  publicKey: string;
  stored: { deviceId: string; publicKey: string } | null;
  algorithm: string;
}

describe.skipIf(!CHROMIUM.path)(`the SDK in the page${skipNote}`, () => {
  const browser = useChromium();

  it("openclaw binding: an Ed25519 device identity made with WebCrypto signs the challenge; Node verifies it", async () => {
    const gw = await startGateway();
    const chunk = (await readdir(join(WEB_OUT_DIR, "assets"))).find((f) => /^openclaw-[A-Z0-9]+\.js$/.test(f));
    expect(chunk, "the build makes a lazily loaded openclaw chunk").toBeDefined();
    const page = await openPage(browser(), pageUrl(gw));
    const signInPage = async () => {
      // A string, so the test runner does not rewrite this import(): the page loads its own chunk.
      await page.evaluate(`import(${JSON.stringify(`/assets/${chunk}`)}).then((m) => { window.openclawChunk = m; })`);
      return page.evaluate(async (): Promise<Signed> => {
        const m = (window as unknown as { openclawChunk: typeof import("../../src/web/openclaw.js") }).openclawChunk;
        const { binding, device } = await m.openClawPageBinding();
        if ("unavailable" in device) throw new Error(`no device identity: ${device.unavailable}`);
        const params = {
          minProtocol: 3,
          maxProtocol: 4,
          client: { id: "gateway-presence-instances", displayName: "Instances page", version: "0.1.0", platform: "Linux", mode: "webchat" },
          auth: { token: "page-token" },
        };
        // The challenge of a 2026.9.x gateway (it lists capabilities): the binding signs a v3 payload.
        const wire = await binding.prepareConnect!(params, { waitForEvent: async () => ({ nonce: "nonce-4711", ts: 1, capabilities: [] }) });
        const key = await crypto.subtle.importKey("raw", Uint8Array.from(atob(device.publicKey.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)), { name: "Ed25519" }, true, ["verify"]);
        return {
          wire,
          deviceId: device.deviceId,
          publicKey: device.publicKey,
          stored: JSON.parse(localStorage.getItem("gateway-presence.device-identity") ?? "null"),
          algorithm: (key.algorithm as { name: string }).name,
        } as unknown as Signed;
      });
    };

    const first = await signInPage();
    expect(first.algorithm).toBe("Ed25519");
    const { device, client } = first.wire;
    expect(device.id).toBe(first.deviceId);
    expect(device.nonce).toBe("nonce-4711");
    expect(client.id).toBe("webchat-ui"); // mapped onto OpenClaw's client ids
    // deviceId is the sha256 of the raw public key; the identity is the one kept in localStorage.
    const raw = Buffer.from(base64UrlDecode(first.publicKey));
    expect(raw).toHaveLength(32);
    expect(createHash("sha256").update(raw).digest("hex")).toBe(first.deviceId);
    expect(first.stored).toMatchObject({ deviceId: first.deviceId, publicKey: first.publicKey });

    const payload = buildDeviceAuthPayload("v3", {
      deviceId: device.id,
      clientId: client.id,
      clientMode: client.mode,
      role: first.wire.role ?? "operator",
      scopes: first.wire.scopes,
      signedAtMs: device.signedAt,
      token: "page-token",
      nonce: device.nonce,
      platform: client.platform,
      deviceFamily: client.deviceFamily,
    });
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: first.publicKey }, format: "jwk" });
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(base64UrlDecode(device.signature)))).toBe(true);
    // A tampered payload does not verify (the check can fail).
    expect(verify(null, Buffer.from(payload.replace("nonce-4711", "nonce-4712")), publicKey, Buffer.from(base64UrlDecode(device.signature)))).toBe(false);

    // After a reload the browser is the same device (the key was kept), and signs again.
    await page.reload();
    const second = await signInPage();
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.wire.device.signature).not.toBe("");
  });

  it("openclaw binding: the page connects to the gateway's openclaw listener, and the gateway verifies its WebCrypto signature; every listener serves the page", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }], logger: (line) => lines.push(line) });
    const [jsonrpc, openclaw] = gw.listeners;
    await nodeClient(gw, { host: "jsonrpc-client" });
    // Served by the jsonrpc listener, the page opens the openclaw listener's port (its own origin too).
    const page = await openPage(browser(), `${pageUrl(gw)}?binding=openclaw`);
    await waitLive(page);
    expect(await page.locator("#gateway-info").textContent()).toContain(`openclaw · ws://127.0.0.1:${openclaw.port}`);
    await expect.poll(() => row(page, "jsonrpc-client").count()).toBe(1); // one store behind both bindings
    await expect.poll(() => cell(page, "Instances page", "mode").textContent()).toBe("webchat");
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("gateway-presence.device-identity") ?? "null") as { deviceId: string } | null);
    expect(stored?.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(lines.some((l) => new RegExp(`^device conn=\\S+ id=${stored!.deviceId} signature=v3 approved$`).test(l))).toBe(true);
    expect(lines.some((l) => /^connect conn=\S+ client=webchat-ui mode=webchat/.test(l))).toBe(true);
    expect(pageErrors(page)).toEqual([]);

    // The openclaw listener serves the page too; by default the page speaks jsonrpc, to the jsonrpc listener.
    const other = await openPage(browser(), `http://127.0.0.1:${openclaw.port}/`);
    await waitLive(other);
    expect(await other.locator("#gateway-info").textContent()).toContain(`jsonrpc · ws://127.0.0.1:${jsonrpc.port}`);
    await expect.poll(() => row(other, "jsonrpc-client").count()).toBe(1);
  });

  describe("gateway-presence serve (npm start)", () => {
    it("serves the built page on its port; the page connects and lists the CLI gateway's rows", async () => {
      const serve = cli(["serve", "--port", "0", "--test-clock"]);
      const out = () => serve.output();
      await expect.poll(() => /page (http:\/\/\S+\/)/.exec(out())?.[1], { timeout: 20_000 }).toBeDefined();
      const url = /page (http:\/\/\S+\/)/.exec(out())![1];
      const wsUrl = /listening (ws:\/\/\S+)/.exec(out())![1];
      const page = await openPage(browser(), url);
      await waitLive(page);
      await expect.poll(() => cell(page, "Instances page", "mode").textContent()).toBe("webchat");
      expect(out()).not.toContain("not built");
      // A Node client of that gateway appears on the page too.
      await nodeClient({ url: wsUrl }, { host: "cli-gateway-client" });
      await expect.poll(() => row(page, "cli-gateway-client").count()).toBe(1);
    });
  });

  it("keeps the page's own row across a reload (a stable instanceId in localStorage, SPEC K1)", async () => {
    const gw = await startGateway();
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    await page.reload();
    await waitLive(page);
    await expect.poll(async () => (await gw.store.list()).filter((r) => r.host === "Instances page").length).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem("gateway-presence.instances.instanceId"))).toMatch(/\S/);
  });
});
