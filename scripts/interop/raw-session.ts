// A bare connection over a ClientBinding (no SDK): opens a ws (with the binding's upgrade headers),
// runs prepareConnect against the real challenge, sends requests and collects answers and events.
import WebSocket from "ws";
import type { ConnectParams } from "../../src/protocol/connect.js";
import type { ClientBinding } from "../../src/transport/binding.js";
import type { InboundFrame } from "../../src/transport/frames.js";

export interface RawSession {
  request(method: string, params?: unknown, timeoutMs?: number): Promise<InboundFrame>;
  connect(params: ConnectParams, timeoutMs?: number): Promise<InboundFrame>;
  events: Array<Extract<InboundFrame, { kind: "event" }>>;
  close(): Promise<void>;
}

export async function openRawSession(url: string, binding: ClientBinding, params: ConnectParams): Promise<RawSession> {
  const ws = new WebSocket(url, { headers: binding.upgradeHeaders?.(url, params) ?? {} });
  const events: RawSession["events"] = [];
  const pending = new Map<string, (frame: InboundFrame) => void>();
  const waiters: Array<{ event: string; resolve: (payload: unknown) => void }> = [];
  let next = 0;
  ws.on("message", (data) => {
    for (const frame of binding.decode(String(data))) {
      if (frame.kind === "event") {
        const waiter = waiters.findIndex((w) => w.event === frame.event);
        if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(frame.payload);
        else events.push(frame);
      } else if (frame.id !== null) pending.get(String(frame.id))?.(frame);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const request = (method: string, p?: unknown, timeoutMs = 10_000) =>
    new Promise<InboundFrame>((resolve, reject) => {
      const id = `raw-${++next}`;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer within ${timeoutMs} ms`)), timeoutMs);
      pending.set(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      ws.send(binding.encodeRequest(id, method, p));
    });
  return {
    events,
    request,
    async connect(connectParams, timeoutMs = 10_000) {
      const context = {
        waitForEvent: (event: string, ms: number) =>
          new Promise<unknown>((resolve, reject) => {
            const early = events.findIndex((e) => e.event === event);
            if (early >= 0) return resolve(events.splice(early, 1)[0]!.payload);
            const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
            waiters.push({ event, resolve: (payload) => (clearTimeout(timer), resolve(payload)) });
          }),
      };
      const wire = binding.prepareConnect ? await binding.prepareConnect(connectParams, context) : connectParams;
      return request("connect", wire, timeoutMs);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.close(1000, "bye");
      }),
  };
}
