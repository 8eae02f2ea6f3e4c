// The gateway's HTTP side, from Node: the built page with content types and cache headers, only the
// built files, /config.json per listener, /healthz, and the Origin check of WebSocket upgrades.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildWebPage } from "../../../scripts/web/build.js";
import { createGateway } from "../../../src/server/index.js";
import { isOwnHostName, normalizeOrigin } from "../../../src/server/http/origin-check.js";
import { startGateway } from "../helpers.js";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request (fetch would normalize `..` out of the path). */
function get(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Opens a WebSocket with this Origin (or none): "open", or the HTTP status that refused it. */
function upgrade(url: string, origin?: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve(String(res.statusCode));
      res.resume();
    });
    ws.on("error", () => resolve("error"));
  });
}

let webRoot: string;
let scratch: string;
let built: Awaited<ReturnType<typeof buildWebPage>>;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "gp-web-"));
  built = await buildWebPage(join(scratch, "web"));
  webRoot = built.outDir;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("the Instances page over HTTP", () => {
  it("is small: the first load (HTML, CSS, the script with the SDK) and the openclaw chunk stay under 30 KB min+gzip", () => {
    const gzip = (files: typeof built.page) => files.reduce((n, f) => n + f.gzipBytes, 0);
    expect(built.page.map((f) => f.path.replace(/-[A-Z0-9]{8}\./, "-H."))).toEqual(expect.arrayContaining(["index.html", "assets/instances-H.css", "assets/instances-H.js"]));
    expect(built.lazy.map((f) => f.path)).toEqual([expect.stringMatching(/^assets\/openclaw-[A-Z0-9]+\.js$/)]);
    expect(gzip(built.page)).toBeLessThan(30 * 1024);
    expect(gzip([...built.page, ...built.lazy])).toBeLessThan(30 * 1024);
  });

  it("serves index.html with no-cache, a CSP and framing denied, and hashed assets cached for good", async () => {
    const gw = await startGateway({ webRoot });
    const page = await get(gw.port, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["content-security-policy"]).toContain("form-action 'none'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    const html = page.body.toString();
    const script = /src="(assets\/instances-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const style = /href="(assets\/instances-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    for (const [path, type] of [
      [script!, "text/javascript; charset=utf-8"],
      [style!, "text/css; charset=utf-8"],
      [`${script!}.map`, "application/json; charset=utf-8"],
    ]) {
      const asset = await get(gw.port, `/${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers["content-type"]).toBe(type);
      expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(asset.body.equals(await readFile(join(webRoot, path)))).toBe(true);
    }
    expect((await get(gw.port, "/index.html")).body.equals(page.body)).toBe(true);
  });

  it("sends gzip when asked, answers If-None-Match with 304 and HEAD without a body", async () => {
    const gw = await startGateway({ webRoot });
    const html = (await get(gw.port, "/")).body.toString();
    const script = `/${/src="(assets\/[^"]+\.js)"/.exec(html)![1]}`;
    const plain = await get(gw.port, script);
    const zipped = await get(gw.port, script, { headers: { "accept-encoding": "br, gzip;q=0.8" } });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toBe("Accept-Encoding");
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect((await get(gw.port, script, { headers: { "accept-encoding": "gzip;q=0" } })).headers["content-encoding"]).toBeUndefined();

    const again = await get(gw.port, "/", { headers: { "if-none-match": String((await get(gw.port, "/")).headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get(gw.port, "/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(head.body.length).toBe(0);
  });

  it("serves only the built files: 404 for anything else (no path reaches the file system), 405 for other methods", async () => {
    const gw = await startGateway({ webRoot });
    for (const path of ["/nope", "/../package.json", "/assets/../../package.json", "/%2e%2e/%2e%2e/package.json", "/src/web/main.ts", "//etc/passwd", "/assets/", "/web/index.html"]) {
      const answer = await get(gw.port, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString()).toBe("not found\n");
    }
    const post = await get(gw.port, "/", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });

  it("says the page is not built (503, and a warning in the log) when the folder has no index.html", async () => {
    const lines: string[] = [];
    const empty = await mkdtemp(join(tmpdir(), "gp-empty-"));
    try {
      const gw = await startGateway({ webRoot: empty, logger: (line) => lines.push(line) });
      const answer = await get(gw.port, "/");
      expect(answer.status).toBe(503);
      expect(answer.body.toString()).toContain("run `npm run build`");
      expect(lines.some((l) => l.startsWith("warning the Instances page is not built"))).toBe(true);
      // The gateway itself works.
      expect(await upgrade(gw.url)).toBe("open");
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("serves /config.json per listener: its binding, every listener's port, the row cap", async () => {
    const gw = await createGateway({ webRoot, maxEntries: 42, listeners: [{ port: 0 }, { port: 0 }] });
    try {
      const [a, b] = gw.listeners;
      for (const listener of [a, b]) {
        const answer = await get(listener.port, "/config.json");
        expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
        expect(answer.headers["cache-control"]).toBe("no-store");
        expect(JSON.parse(answer.body.toString())).toEqual({
          binding: "jsonrpc",
          listeners: [
            { binding: "jsonrpc", port: a.port },
            { binding: "jsonrpc", port: b.port },
          ],
          maxEntries: 42,
        });
        expect((await get(listener.port, "/")).status).toBe(200);
      }
      // A page served by one listener may connect to another: both are the gateway's own origin.
      expect(await upgrade(a.url, `http://127.0.0.1:${b.port}`)).toBe("open");
    } finally {
      await gw.close();
    }
  });

  it("answers /healthz on every listener, also without the page (the store's health; docs/cluster.md)", async () => {
    const gw = await createGateway({ webRoot: false, listeners: [{ port: 0 }] });
    try {
      const answer = await get(gw.port, "/healthz");
      expect(answer.status).toBe(200);
      expect(answer.headers["cache-control"]).toBe("no-store");
      expect(JSON.parse(answer.body.toString())).toEqual({ status: "ok", store: { backend: "memory", shared: false, healthy: true } });
      expect((await get(gw.port, "/healthz", { method: "POST" })).status).toBe(426);
    } finally {
      await gw.close();
    }
  });
});

describe("the Origin check of WebSocket upgrades", () => {
  it("accepts no Origin (Node clients) and the gateway's own origin under its names", async () => {
    const gw = await startGateway({ webRoot: false });
    expect(await upgrade(gw.url)).toBe("open");
    for (const name of ["127.0.0.1", "localhost", "LOCALHOST", hostname()]) {
      expect(await upgrade(gw.url, `http://${name}:${gw.port}`), name).toBe("open");
    }
  });

  it("refuses any other Origin with 403 before the handshake, logs it and counts it", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ webRoot: false, logger: (line) => lines.push(line) });
    const refused = [
      "http://evil.example",
      `http://evil.example:${gw.port}`, // a DNS-rebinding name for the gateway
      `http://127.0.0.1:${gw.port === 65535 ? 1 : gw.port + 1}`, // another port of this machine
      `https://127.0.0.1:${gw.port}`, // the gateway speaks no TLS itself
      "null", // sandboxed frames, file: pages
      "not an origin",
      `http://user:pw@127.0.0.1:${gw.port}`,
    ];
    for (const origin of refused) expect(await upgrade(gw.url, origin), origin).toBe("403");
    expect(gw.metrics().rejections).toBe(refused.length);
    expect(lines.filter((l) => l.includes("reason=ORIGIN_NOT_ALLOWED"))).toHaveLength(refused.length);
    expect(lines.some((l) => l.startsWith('reject origin="http://evil.example" reason=ORIGIN_NOT_ALLOWED'))).toBe(true);
    expect(lines.filter((l) => l.startsWith("connect "))).toEqual([]);
    expect(gw.metrics().connections).toBe(0);
  });

  it("logs at most 10 refused origins a minute per address (a flood of foreign pages cannot fill the log), and counts them all", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ webRoot: false, logger: (line) => lines.push(line) });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => upgrade(gw.url, `http://evil-${i}.example`)));
    expect(answers).toEqual(Array.from({ length: 30 }, () => "403"));
    expect(gw.metrics().rejections).toBe(30);
    expect(lines.filter((l) => l.includes("reason=ORIGIN_NOT_ALLOWED"))).toHaveLength(10);
    // The 20 left out are said once their minute is over, or (here) when the gateway closes; before,
    // only a later refusal from that address said so, and a flood that stopped was never counted in the log.
    await gw.close();
    expect(lines.filter((l) => l.includes("more like it"))).toEqual(["reject reason=ORIGIN_NOT_ALLOWED address=127.0.0.1: 20 more like it from this address not logged in the last minute"]);
  });

  it("accepts the origins in allowOrigins, normalized (letter case, default port)", async () => {
    const gw = await startGateway({ webRoot: false, allowOrigins: ["HTTPS://Presence.Example.com:443/", "http://10.1.2.3:8080"] });
    expect(await upgrade(gw.url, "https://presence.example.com")).toBe("open");
    expect(await upgrade(gw.url, "http://10.1.2.3:8080")).toBe("open");
    expect(await upgrade(gw.url, "http://10.1.2.3:8081")).toBe("403");
    expect(await upgrade(gw.url, "https://other.example.com")).toBe("403");
  });

  it("refuses options that are not origins, naming the value", async () => {
    for (const bad of ["*", "presence.example.com", "https://presence.example.com/app", "ftp://x.example"]) {
      await expect(createGateway({ port: 0, allowOrigins: [bad] })).rejects.toThrow(`gateway: allowOrigins: ${JSON.stringify(bad)} is not an origin`);
    }
    expect(normalizeOrigin("HTTP://LocalHost:80")).toBe("http://localhost");
    expect(isOwnHostName("[::1]")).toBe(true);
    expect(isOwnHostName("127.0.0.2")).toBe(true);
    expect(isOwnHostName("evil.example")).toBe(false);
    expect(isOwnHostName("8.8.8.8")).toBe(false);
  });
});
