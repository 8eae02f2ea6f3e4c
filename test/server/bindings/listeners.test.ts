// Several listeners over one core and one store (SPEC T2): options, and one list seen from every listener.
import { afterEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { connectParams, list, rowOf, WireClient } from "../helpers.js";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((gw) => gw.close()));
});

async function start(options: Parameters<typeof createGateway>[0]): Promise<Gateway> {
  const gw = await createGateway(options);
  open.push(gw);
  return gw;
}

describe("listeners", () => {
  it("two listeners share one store: a row written through one is listed and pushed through the other", async () => {
    const gw = await start({ listeners: [{ port: 0 }, { binding: "jsonrpc", host: "127.0.0.1", port: 0 }] });
    expect(gw.listeners.map((l) => l.binding)).toEqual(["jsonrpc", "jsonrpc"]);
    expect(gw.listeners[0]!.port).not.toBe(gw.listeners[1]!.port);
    expect(gw.url).toBe(gw.listeners[0]!.url);

    const watcher = await WireClient.open(gw.listeners[1]!.url);
    await watcher.result("connect", connectParams({ mode: "cli", id: "watcher" }));
    const writer = await WireClient.open(gw.listeners[0]!.url);
    await writer.result("connect", connectParams({ instanceId: "via-first" }));
    await watcher.waitFor((f) => JSON.stringify(f).includes('"via-first"'));
    expect(rowOf(await list(watcher), "via-first")?.reason).toBe("connect");
    await writer.close();
    await watcher.close();
  });

  it("refuses bad listener options with a message naming the option", async () => {
    await expect(createGateway({ listeners: [] })).rejects.toThrow(/listeners must be a non-empty array/);
    await expect(createGateway({ port: 0, listeners: [{ port: 0 }] })).rejects.toThrow(/either port or listeners/);
    await expect(createGateway({ listeners: [{ port: 0, binding: "soap" as never }] })).rejects.toThrow(/listeners\[0\]\.binding must be one of jsonrpc, openclaw/);
    await expect(createGateway({ listeners: [{ port: 70000 }] })).rejects.toThrow(/listeners\[0\]\.port must be an integer/);
    await expect(createGateway({ listeners: [{ port: 0 }, { host: "0.0.0.0", port: 0 }] })).rejects.toThrow(/non-loopback host 0\.0\.0\.0 without a token/);
  });

  it("a listener that cannot bind leaves nothing open and rejects", async () => {
    const gw = await start({ port: 0 });
    await expect(createGateway({ listeners: [{ port: 0 }, { port: gw.port }] })).rejects.toThrow(/EADDRINUSE/);
  });
});
