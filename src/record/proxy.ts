/**
 * A transparent recording WebSocket proxy (`gateway-presence record`): every client that connects
 * gets its own upstream connection (same path, query, subprotocols, Origin and User-Agent); frames
 * are relayed unchanged both ways and written, redacted, to a JSON Lines recording. The proxy adds
 * no behaviour: an upstream that refuses the upgrade is refused to the client with the same status,
 * and close codes are passed on.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer, type RawData } from "ws";
import { formatRecordingLine, hasLossyIdNumeral, hasLossyNumber, nestedDeeperThan, type RecordingLine } from "./recording.js";
import { MAX_REDACT_DEPTH, redactUrl, redactValue, redactText, type RedactOptions } from "../transport/redact.js";

export interface RecordingProxyOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** ws:// or wss:// URL of the gateway; the client's path and query are appended to its path. */
  upstream: string;
  /** Receives each recorded line (JSON Lines). */
  write: (line: string) => void;
  redact?: RedactOptions;
  now?: () => number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly port: number;
  /** Connections seen so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Close codes that may be sent in a close frame (1005/1006/1015 may not). */
function sendableCode(code: number): number | undefined {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999) ? code : undefined;
}

function upstreamUrl(base: string, requestUrl: string | undefined): string {
  const target = new URL(base);
  const incoming = new URL(requestUrl ?? "/", "http://proxy.invalid");
  if (incoming.pathname !== "/") target.pathname = `${target.pathname.replace(/\/$/, "")}${incoming.pathname}`;
  if (incoming.search) target.search = incoming.search;
  return target.toString();
}

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  if (!/^wss?:\/\/[^/]/i.test(options.upstream) || !URL.canParse(options.upstream)) {
    throw new Error(`upstream: expected a ws:// or wss:// URL, got ${JSON.stringify(redactUrl(options.upstream))}`);
  }
  const now = options.now ?? Date.now;
  const started = now();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 30 });
  const http = createServer((_req, res) => res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket only\n"));
  let count = 0;

  const record = (conn: string, openedAt: number, line: { dir: RecordingLine["dir"]; [field: string]: unknown }) => {
    const ms = now();
    options.write(formatRecordingLine({ ts: new Date(ms).toISOString(), ms, dt: ms - started, t: ms - openedAt, conn, ...line }));
  };
  const frameLine = (dir: "send" | "recv", data: RawData, isBinary: boolean) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) return { dir, bytes: buffer.length, binary: true };
    const text = buffer.toString("utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { dir, bytes: buffer.length, text: redactText(text) };
    }
    // Parsed, 1e400 would be recorded as null, 9007199254740993 as ...992 and an id 1e-400 as 0:
    // keep such a frame verbatim.
    // Or nested too deep to walk: kept as text as well.
    if (nestedDeeperThan(parsed, MAX_REDACT_DEPTH) || hasLossyNumber(parsed) || hasLossyIdNumeral(parsed, text)) return { dir, bytes: buffer.length, text: redactText(text) };
    return { dir, bytes: buffer.length, frame: redactValue(parsed, options.redact) };
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const conn = `c${++count}`;
    const openedAt = now();
    const target = upstreamUrl(options.upstream, req.url);
    const protocols = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim()).filter(Boolean);
    const headers: Record<string, string> = {};
    for (const name of ["origin", "user-agent"]) if (typeof req.headers[name] === "string") headers[name] = req.headers[name] as string;
    // The URL as recorded: no credentials, no query values (a client may carry its token there).
    const shown = redactUrl(target, options.redact?.literals);
    record(conn, openedAt, { dir: "meta", event: "open", url: shown, ...(headers.origin ? { origin: redactText(headers.origin, options.redact?.literals) } : {}) });
    const upstream = new WebSocket(target, protocols, { headers, maxPayload: 1 << 30, perMessageDeflate: false });
    sockets.add(upstream);
    // Frames the gateway sends before the client side is accepted (connect.challenge) wait here.
    let client: WebSocket | undefined;
    const early: Array<[RawData, boolean]> = [];
    upstream.on("message", (data, isBinary) => {
      record(conn, openedAt, frameLine("recv", data, isBinary));
      if (!client) early.push([data, isBinary]);
      else if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    });
    let failed = false;
    upstream.once("unexpected-response", (_r, res) => {
      failed = true;
      record(conn, openedAt, { dir: "meta", event: "refused", code: res.statusCode });
      socket.end(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? "Bad Gateway"}\r\nConnection: close\r\n\r\n`);
      upstream.terminate();
    });
    upstream.on("error", (error) => {
      if (client || failed) return; // after the upgrade, the close handlers deal with it
      failed = true;
      record(conn, openedAt, { dir: "meta", event: "error", message: error.message });
      if (!socket.destroyed) socket.end("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n");
    });
    upstream.once("open", () => {
      wss.handleUpgrade(req, socket, head, (accepted) => {
        client = accepted;
        sockets.add(accepted);
        for (const [data, isBinary] of early.splice(0)) accepted.send(data, { binary: isBinary });
        let closedBy: "client" | "gateway" | undefined;
        accepted.on("message", (data, isBinary) => {
          record(conn, openedAt, frameLine("send", data, isBinary));
          if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
        });
        const passClose = (from: "client" | "gateway", to: WebSocket, code: number, reason: Buffer) => {
          if (!closedBy) {
            closedBy = from;
            record(conn, openedAt, { dir: "meta", event: "close", code, reason: reason.toString("utf8"), by: from });
          }
          const c = sendableCode(code);
          if (to.readyState === WebSocket.OPEN || to.readyState === WebSocket.CONNECTING) {
            if (c === undefined) to.terminate();
            else to.close(c, reason);
          }
          sockets.delete(from === "client" ? accepted : upstream);
        };
        accepted.on("close", (code, reason) => passClose("client", upstream, code, reason));
        upstream.on("close", (code, reason) => passClose("gateway", accepted, code, reason));
        accepted.on("error", () => accepted.terminate());
      });
    });
  };
  http.on("upgrade", onUpgrade);

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = http.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `ws://${host}:${address.port}`,
    port: address.port,
    get connections() {
      return count;
    },
    async close() {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      wss.close();
    },
  };
}
