/**
 * A WebSocket upgrade the server refused (an HTTP status other than 101), as Node's `ws` shows it in
 * its `unexpected-response` event: the status, the `Retry-After` (retry-after.ts) and the server's
 * reason, its body as one short line of text. A browser's WebSocket shows none of it.
 */
import { parseRetryAfter } from "./retry-after.js";

/** What a refused upgrade said. `reason`: its body as text (refusalText), when it had any. */
export interface RefusedUpgradeAnswer {
  httpStatus: number;
  retryAfterMs?: number;
  reason?: string;
}

/** What a socket that closed before it opened may have met, when nothing says which. */
const OPEN_FAILURE_GUESS = "the gateway may be down or unreachable, or it refused the upgrade";

/**
 * Why a socket that never opened closed, in a browser: it tells a page nothing (no status, no headers:
 * only an error event and the close code 1006), whatever happened.
 */
export const BROWSER_SAYS_NOTHING =
  `before it opened; the browser does not say why: ${OPEN_FAILURE_GUESS} ` +
  "(HTTP 403 when this page's origin is not allowed: gateway-presence serve --allow-origin ORIGIN; 429 or 503 when it is busy, retried; " +
  "the browser's console shows the status)";

const inNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/**
 * Why a socket closed before it opened (`closeCode`), when its error events named neither a code nor a
 * message (`error`: the last error event's `error`, if any). A browser never names one
 * (BROWSER_SAYS_NOTHING). In Node ws always does (`ECONNREFUSED`, `Invalid Sec-WebSocket-Accept
 * header`, `Unexpected server response: 403`), so there it is another WebSocket, or an error without
 * words: the text names the error it got, or says that none came, never "the browser".
 */
export function unexplainedOpenFailure(closeCode: number, error: unknown, node = inNode): string {
  if (!node) return `closed (${closeCode}) ${BROWSER_SAYS_NOTHING}`;
  if (error instanceof Error) return `closed (${closeCode}) before it opened; the WebSocket's error, ${error.name}, had no code and no message: ${OPEN_FAILURE_GUESS}`;
  return (
    `closed (${closeCode}) before it opened, and the WebSocket gave no error saying why (ws, the client's default in Node, ` +
    `names the failure: ECONNREFUSED, Unexpected server response: 403): ${OPEN_FAILURE_GUESS}`
  );
}

/** The longest reason kept, in characters (a refusal's body is a sentence; an HTML error page is cut). */
export const MAX_REASON_CHARS = 300;
/** Bytes read of a body at most, and how long its end is awaited (a refusal that trickles does not hold up the retry). */
const MAX_BODY_BYTES = 4096;
const BODY_WAIT_MS = 500;

/**
 * A refusal's body as one line: control characters and runs of white space as one space, trimmed, cut
 * at MAX_REASON_CHARS with `…`; undefined when nothing is left. It is the server's text, not ours.
 */
export function refusalText(body: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const line = body.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, " ").trim();
  if (line === "") return undefined;
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}

/** ws's client socket: an EventEmitter with `terminate()` (browsers' WebSocket has neither). */
interface NodeWebSocket {
  once(event: "unexpected-response", listener: (request: unknown, response: RefusedResponse) => void): void;
  terminate(): void;
}

/** Node's IncomingMessage, the part read here. */
interface RefusedResponse {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  setEncoding(encoding: "utf8"): void;
  on(event: "data", listener: (chunk: string) => void): void;
  once(event: "end" | "error" | "close", listener: () => void): void;
  resume(): void;
  destroy(): void;
}

/**
 * In Node (ws), reads the HTTP answer to an upgrade the server refused: its status, `Retry-After`
 * and, when its body is text (`text/*`, or no Content-Type), that body as refusalText (at most 4 KB
 * read, its end awaited 500 ms at most). Returns what was read, for the close that follows (undefined
 * until then); undefined for a WebSocket without ws's events. Listening means ws leaves the request
 * to us: it is ended here once the body is read (terminate(): the error and close events ws would
 * have given).
 */
export function watchRefusedUpgrade(socket: unknown): (() => RefusedUpgradeAnswer | undefined) | undefined {
  const node = socket as Partial<NodeWebSocket>;
  if (typeof node.once !== "function" || typeof node.terminate !== "function") return undefined;
  let answer: RefusedUpgradeAnswer | undefined;
  node.once("unexpected-response", (_request, response) => {
    const header = response.headers["retry-after"];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
    const status: RefusedUpgradeAnswer = { httpStatus: response.statusCode ?? 0, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    const type = response.headers["content-type"];
    if (type !== undefined && !/^\s*text\//i.test(String(type))) {
      answer = status;
      response.resume();
      return node.terminate!();
    }
    let body = "";
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const reason = refusalText(body);
      answer = { ...status, ...(reason === undefined ? {} : { reason }) };
      node.terminate!();
    };
    const timer = setTimeout(finish, BODY_WAIT_MS);
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      body += chunk;
      if (body.length >= MAX_BODY_BYTES) {
        finish();
        response.destroy();
      }
    });
    response.once("end", finish);
    response.once("error", finish);
    response.once("close", finish);
  });
  return () => answer;
}
