// The client builds for browsers (esbuild, platform "browser") without Node built-ins, and the
// browser build works against a real server when given a WHATWG WebSocket.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import { bundleForBrowser } from "../../../scripts/browser-bundle.js";
import { startScriptedGateway } from "../scripted-gateway.js";

describe("browser bundle", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("bundles the client SDK with no Node built-in and no Node WebSocket, under 20 KB min+gzip", async () => {
    const bundle = await bundleForBrowser("src/client/index.ts");
    expect(bundle.nodeBuiltins).toEqual([]);
    expect(bundle.inputs).toContain("node_modules/isomorphic-ws/browser.js");
    expect(bundle.inputs.filter((i) => i.startsWith("node_modules/ws/") || i.includes("ajv"))).toEqual([]);
    expect(bundle.inputs.filter((i) => i.startsWith("src/server/") || i.startsWith("src/generated/validators"))).toEqual([]);
    expect(bundle.gzipBytes).toBeLessThan(20 * 1024);
    // Only what a jsonrpc client needs: the URL part of redaction (not the report patterns and value
    // walk of redact.ts), and no openclaw binding check (it comes with that binding).
    expect(bundle.inputs).toContain("src/transport/redact-url.ts");
    expect(bundle.inputs.filter((i) => /src\/transport\/(redact|binding-check|openclaw)\.ts$/.test(i))).toEqual([]);
  });

  it("bundles the whole package entry (validators included) with no Node built-in", async () => {
    const bundle = await bundleForBrowser("src/index.ts");
    expect(bundle.nodeBuiltins).toEqual([]);
  });

  it("catches a Node built-in when one is pulled in (the Node-only entry)", async () => {
    const bundle = await bundleForBrowser("src/client/node.ts");
    expect(bundle.nodeBuiltins).toEqual(
      expect.arrayContaining([expect.stringMatching(/^node:fs\/promises \(imported by .*identity-node\.ts\)$/)]),
    );
  });

  it("runs: the browser build connects over a WHATWG WebSocket and lists presence", async () => {
    const bundle = await bundleForBrowser("src/client/index.ts");
    const dir = await mkdtemp(join(tmpdir(), "gp-browser-"));
    dirs.push(dir);
    const file = join(dir, "client.mjs");
    await writeFile(file, bundle.code);
    const gw = await startScriptedGateway();
    const g = globalThis as { WebSocket?: unknown };
    const before = g.WebSocket;
    g.WebSocket = WsWebSocket; // what a browser provides; isomorphic-ws's browser build picks it up
    try {
      const sdk = await import(pathToFileURL(file).href);
      const client = sdk.createPresenceClient({ url: gw.url, client: { id: "web", version: "1", platform: "web", mode: "webchat" } });
      const hello = await client.connect();
      expect(hello.type).toBe("hello-ok");
      expect(await client.systemPresence()).toEqual(gw.list);
      expect(sdk.presenceStatus({ ts: Date.now() })).toBe("Active");
      await client.close();
    } finally {
      g.WebSocket = before;
      await gw.close();
    }
  });
});
