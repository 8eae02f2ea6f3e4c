/**
 * What a gateway listener answers besides WebSocket frames: plain HTTP (the built Instances page, its
 * `/config.json`, `/healthz`) and the check of every upgrade's `Origin` before the handshake
 * (origin-check.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OriginVerdict } from "./origin-check.js";
import type { PageAsset, PageAssets } from "./page-assets.js";

/**
 * `GET /config.json`: what the page needs to connect (read by src/web/config.ts, which checks it).
 * Per listener: `binding` is the one that served it; `listeners` lists every listener's port.
 */
export interface PageConfig {
  binding: string;
  listeners: Array<{ binding: string; port: number }>;
  /** The row cap (SPEC S2), shown as "rows / cap". */
  maxEntries: number;
}

/**
 * `GET /healthz`: 200 while the gateway serves, for load balancers and monitoring. `status` is
 * `degraded` while a cluster's shared store (Redis) is out of reach and the gateway serves its own
 * presence locally (docs/cluster.md); the gateway still answers every client then.
 */
export interface Health {
  status: "ok" | "degraded";
  store: { backend: string; shared: boolean; healthy: boolean };
}

export interface HttpFrontOptions {
  health: () => Health;
  /** The built page; `undefined` when it was not built; `false` when the gateway serves no page. */
  assets: PageAssets | undefined | false;
  config: () => PageConfig;
  checkOrigin: (origin: string | undefined) => OriginVerdict;
  /** Told about every refused upgrade (log line, rejection count). */
  onOriginRefused: (origin: string, reason: string, request: IncomingMessage) => void;
}

/** The subset of ws's `verifyClient` info used here. */
export interface UpgradeInfo {
  origin: string | undefined;
  req: IncomingMessage;
}
export type VerifyCallback = (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/** What a listener does besides WebSocket frames: answer plain HTTP, and vet upgrades (ws's verifyClient). */
export interface ListenerHttp {
  handleRequest(request: IncomingMessage, response: ServerResponse): void;
  verifyClient(info: UpgradeInfo, done: VerifyCallback): void;
}

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // The page may connect to another listener of the same gateway (another port).
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
const TEXT = "text/plain; charset=utf-8";

export function createHttpFront(options: HttpFrontOptions): ListenerHttp {
  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const { assets } = options;
    if ((request.method === "GET" || request.method === "HEAD") && pathOf(request.url) === "/healthz") return json(request, response, options.health());
    if (assets === false) {
      response.writeHead(426, { ...COMMON_HEADERS, "content-type": TEXT, upgrade: "websocket" });
      response.end("gateway-presence: connect with a WebSocket\n");
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return plain(response, 405, "method not allowed: the gateway serves GET and HEAD\n", { allow: "GET, HEAD" });
    }
    const path = pathOf(request.url);
    if (path === "/config.json") return json(request, response, options.config());
    if (assets === undefined) {
      if (path === "/" || path === "/index.html") {
        return plain(response, 503, "gateway-presence: the Instances page is not built in this installation (run `npm run build`)\n");
      }
      return plain(response, 404, "not found\n");
    }
    const asset = path === undefined ? undefined : assets.get(path);
    if (!asset) return plain(response, 404, "not found\n");
    sendAsset(request, response, asset);
  }

  function verifyClient(info: UpgradeInfo, done: VerifyCallback): void {
    const verdict = options.checkOrigin(info.origin);
    if (verdict.ok) return done(true);
    options.onOriginRefused(info.origin ?? "", verdict.reason, info.req);
    done(false, 403, `origin not allowed: ${verdict.reason}\n`, { "Content-Type": TEXT });
  }

  return { handleRequest, verifyClient };
}

function sendAsset(request: IncomingMessage, response: ServerResponse, asset: PageAsset): void {
  const headers: Record<string, string | number> = {
    ...COMMON_HEADERS,
    "content-type": asset.contentType,
    "cache-control": asset.cacheControl,
    etag: asset.etag,
    vary: "Accept-Encoding",
  };
  if (asset.contentType.startsWith("text/html")) {
    headers["content-security-policy"] = PAGE_CSP;
    headers["x-frame-options"] = "DENY";
  }
  if (request.headers["if-none-match"]?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === asset.etag)) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const gzip = asset.gzip !== undefined && acceptsGzip(request.headers["accept-encoding"]);
  const body = gzip ? asset.gzip! : asset.body;
  if (gzip) headers["content-encoding"] = "gzip";
  headers["content-length"] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}

/** `gzip` listed in Accept-Encoding without `q=0`. */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? "").split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    return coding.trim() === "gzip" && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** The request's path (query dropped), or undefined when it is not a plain absolute path. */
function pathOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith("/")) return undefined;
  try {
    return new URL(url, "http://gateway").pathname;
  } catch {
    return undefined;
  }
}

function json(request: IncomingMessage, response: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(200, { ...COMMON_HEADERS, "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": body.length });
  response.end(request.method === "HEAD" ? undefined : body);
}

function plain(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...COMMON_HEADERS, "content-type": TEXT, "cache-control": "no-store", ...extra });
  response.end(text);
}
