/** Fills a gateway's list from the bench's parent process (one untracked writer connection). */
import { closeAll, openAndHandshake } from "./sockets.js";
import { beaconFrame, classify } from "./wire.js";

/** Writes `rows` rows (`instanceId` = `${prefix}${i}`) so the list has rows + 1 (self) entries. */
export async function prefill(url: string, rows: number, prefix = "row-", pad = ""): Promise<void> {
  const ws = await openAndHandshake(url, { mode: "cli" });
  try {
    for (let i = 0; i < rows; i++) await call(ws, beaconFrame(i + 1, { instanceId: `${prefix}${i}`, text: `${pad}prefilled row ${i}` }), i + 1);
  } finally {
    await closeAll([ws]);
  }
}

/** Sends one request and waits for its answer (rejects on an error answer or after 10 s). */
export function call(ws: import("ws").WebSocket, frame: string, id: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer to request ${id}`)), 10_000);
    const onMessage = (data: Buffer) => {
      const c = classify(data);
      if (c.kind === "response" && c.id === id) finish(c.error ? new Error(data.toString("utf8").slice(0, 300)) : undefined);
    };
    function finish(error?: Error) {
      clearTimeout(timer);
      ws.off("message", onMessage);
      if (error) reject(error);
      else resolve();
    }
    ws.on("message", onMessage);
    ws.send(frame);
  });
}
