/** Client sockets for the load processes: open, handshake, close, all bounded in time. */
import WebSocket from "ws";
import { classify, connectFrame, type ConnectOptions } from "./wire.js";

export function open(url: string, timeoutMs = 30_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("open timed out"));
    }, timeoutMs);
    ws.once("open", () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * The gateway's `connect` (resolves on hello-ok), or for the echo server one round trip of the same
 * frame, so both pay for one request after the WebSocket upgrade. Resolves with the answer's size.
 */
export function handshake(ws: WebSocket, options: ConnectOptions, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let answerBytes = 0;
    const timer = setTimeout(() => finish(new Error("handshake timed out")), timeoutMs);
    const onMessage = (data: Buffer) => {
      const frame = classify(data);
      if (frame.kind !== "response" || frame.id !== 0) return;
      answerBytes = data.length;
      finish(frame.error ? new Error(`connect refused: ${data.toString("utf8").slice(0, 300)}`) : undefined);
    };
    const onClose = () => finish(new Error("closed during the handshake"));
    function finish(error?: Error) {
      clearTimeout(timer);
      ws.off("message", onMessage);
      ws.off("close", onClose);
      if (error) reject(error);
      else resolve(answerBytes);
    }
    ws.on("message", onMessage);
    ws.once("close", onClose);
    ws.send(connectFrame(0, options));
  });
}

export async function openAndHandshake(url: string, options: ConnectOptions): Promise<WebSocket> {
  return (await openWithAnswer(url, options)).ws;
}

/** openAndHandshake, and the size of the answer to `connect` (hello-ok, or the echo's frame). */
export async function openWithAnswer(url: string, options: ConnectOptions): Promise<{ ws: WebSocket; answerBytes: number }> {
  const ws = await open(url);
  try {
    return { ws, answerBytes: await handshake(ws, options) };
  } catch (error) {
    ws.terminate();
    throw error;
  }
}

export function closeAll(sockets: Iterable<WebSocket>, timeoutMs = 5_000): Promise<void> {
  const waits = [...sockets].map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        const timer = setTimeout(() => (ws.terminate(), resolve()), timeoutMs);
        ws.once("close", () => (clearTimeout(timer), resolve()));
        ws.close();
      }),
  );
  return Promise.all(waits).then(() => undefined);
}

/** Runs `count` jobs with at most `limit` at once; stops starting new ones after `deadline` (ms, monotonic). */
export async function pool(count: number, limit: number, deadline: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      await job(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return done;
}
