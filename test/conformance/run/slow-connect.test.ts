/**
 * A gateway slow to answer `connect`: the probe waits --step-timeout for the answer (default 3000 ms),
 * not a fixed 3 s. Through the real CLI against a real reference gateway on loopback, behind a relay
 * that holds back the first connection's answers for 3.5 s (the probe's connect): with the default the
 * run stops with the no-handshake verdict naming the 3000 ms it waited; with --step-timeout 6000 the
 * probe gets hello-ok and the scenario runs and passes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { Gateway } from "../../../src/server/index.js";
import { cliResult } from "../../support/cli.js";
import { referenceGateway, TOKEN } from "../gateways.js";

const LATE_MS = 3500;

interface SlowRelay {
  url: string;
  close(): Promise<void>;
}

/**
 * A WebSocket relay on 127.0.0.1 in front of `upstream`: the first connection's frames from the
 * gateway are held until LATE_MS after the first of them (its answer to connect) came, then passed on
 * in order; later connections are relayed as they are.
 */
async function slowRelay(upstream: string): Promise<SlowRelay> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => wss.once("listening", resolve));
  const sockets = new Set<WebSocket>();
  let connections = 0;
  wss.on("connection", (client) => {
    const late = ++connections === 1;
    const server = new WebSocket(upstream);
    sockets.add(client).add(server);
    const toServer: [RawData, boolean][] = [];
    const held: [RawData, boolean][] = [];
    let releaseAt: number | undefined;
    client.on("message", (data, binary) => (server.readyState === WebSocket.OPEN ? server.send(data, { binary }) : toServer.push([data, binary])));
    server.on("open", () => toServer.splice(0).forEach(([data, binary]) => server.send(data, { binary })));
    server.on("message", (data, binary) => {
      if (!late || (releaseAt !== undefined && Date.now() >= releaseAt && held.length === 0)) return client.send(data, { binary });
      held.push([data, binary]);
      if (releaseAt !== undefined) return;
      releaseAt = Date.now() + LATE_MS;
      setTimeout(() => held.splice(0).forEach(([d, b]) => client.readyState === WebSocket.OPEN && client.send(d, { binary: b })), LATE_MS);
    });
    client.on("close", () => server.close());
    server.on("close", () => client.close());
    client.on("error", () => {});
    server.on("error", () => client.terminate());
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

const conform = (url: string, more: string[] = []) =>
  cliResult(["conform", "--no-color", "--url", url, "--token", TOKEN, "--handshake-timeout", "1000", "--only", "p1-self-row", "--wait-ready", "0", ...more]);

describe("conform against a gateway that answers connect after 3.5 s", () => {
  let gateway: Gateway | undefined;
  let relay: SlowRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    await gateway?.close();
  });
  const start = async () => {
    gateway = await referenceGateway();
    relay = await slowRelay(gateway.url);
    return relay.url;
  };

  it("by default the probe waits 3000 ms: the no-handshake verdict, naming that wait (exit 2)", async () => {
    const url = await start();
    const { code, stdout } = await conform(url);
    expect(stdout).toMatch(/^Cannot run the 1 scenario: probe connect failed: no handshake with the gateway at ws:\/\/127\.0\.0\.1:\d+: connect: no answer within 3000 ms \(--step-timeout; /m);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway was reached but did not answer the probe's connect, so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });

  it("with --step-timeout 6000 the probe waits for the late hello-ok and the run goes on (exit 0)", async () => {
    const url = await start();
    const { code, stdout, stderr } = await conform(url, ["--step-timeout", "6000"]);
    expect(stderr).toBe("");
    expect(stdout).not.toMatch(/Cannot run|no handshake|no answer within/);
    expect(stdout).toMatch(/^Scenarios: 1 — 1 passed, 0 failed/m);
    expect(code).toBe(0);
  });
});
