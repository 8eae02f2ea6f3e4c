/**
 * What conform says when the run cannot start because of the connection itself, through the real CLI
 * against real loopback servers: a WebSocket server that upgrades and never answers `connect` (it was
 * reached: `no handshake`, as list says, with list's --binding guess), a TCP server that never
 * answers the upgrade (ws's "Opening handshake has timed out" said as list's `not open within N ms`),
 * and a closed port (refused). Each says so in its verdict, and the run error is printed once.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { cliResult } from "../../support/cli.js";

const conform = (url: string) => cliResult(["conform", "--no-color", "--url", url, "--token", "t", "--only", "p1-self-row", "--wait-ready", "0"]);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const count = (text: string, part: string) => text.split(part).length - 1;

describe("conform against a gateway it cannot hold a handshake with", () => {
  let silentWs: WebSocketServer;
  let silentTcp: Server;
  const sockets = new Set<Socket>();
  let closedPort: number;
  beforeAll(async () => {
    silentWs = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    silentTcp = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    const closed = createServer();
    await Promise.all([
      new Promise((resolve) => silentWs.once("listening", resolve)),
      new Promise<void>((resolve) => silentTcp.listen(0, "127.0.0.1", resolve)),
      new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve)),
    ]);
    closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const client of silentWs.clients) client.terminate();
    await Promise.all([new Promise((resolve) => silentWs.close(resolve)), new Promise((resolve) => silentTcp.close(resolve))]);
  });

  it("a WebSocket server that upgrades but never answers connect: reached, no handshake, the --binding guess; said once", async () => {
    const url = `ws://127.0.0.1:${(silentWs.address() as { port: number }).port}`;
    const { code, stdout } = await conform(url);
    const error = `no handshake with the gateway at ${url}: connect: no answer within 3000 ms (--step-timeout; if the gateway speaks OpenClaw's frames, e.g. an OpenClaw gateway or a listener started with --binding openclaw, add --binding openclaw)`;
    expect(stdout).toMatch(new RegExp(`^Cannot run the 1 scenario: probe connect failed: ${escape(error)}$`, "m"));
    expect(count(stdout, "no handshake with")).toBe(1);
    expect(stdout).not.toMatch(/Run error|could not be reached/);
    expect(stdout).toMatch(/^Scenarios: none ran \(the run error is above; \d+\.\d s\)$/m);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway was reached but did not answer the probe's connect, so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });

  it("a TCP server that never answers the WebSocket upgrade: `not open within N ms`, as list says, not ws's words", async () => {
    const url = `ws://127.0.0.1:${(silentTcp.address() as { port: number }).port}`;
    const { code, stdout } = await conform(url);
    expect(stdout).toMatch(new RegExp(`^Cannot run the 1 scenario: probe connect failed: actor "probe": could not open ${escape(url)}: not open within 3000 ms \\(--step-timeout\\)$`, "m"));
    expect(stdout).not.toMatch(/Opening handshake|Run error/);
    expect(count(stdout, "not open within")).toBe(1);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: something accepted the connection but never completed the WebSocket upgrade, so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });

  it("wss:// to a server of plain WebSocket: Node's code and list's TLS hint, not OpenSSL's raw line", async () => {
    const url = `wss://127.0.0.1:${(silentWs.address() as { port: number }).port}`;
    const { code, stdout } = await conform(url);
    const said = `Cannot run the 1 scenario: probe connect failed: actor "probe": could not open ${url}: EPROTO (no TLS there: if the gateway serves plain WebSocket, use ws://)`;
    expect(stdout).toMatch(new RegExp(`^${escape(said)}$`, "m"));
    expect(stdout).not.toMatch(/wrong version number|ssl3_get_record|openssl/i);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the TLS connection to the gateway failed, so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });

  it("a closed port: refused, nothing listens there; said once", async () => {
    const url = `ws://127.0.0.1:${closedPort}`;
    const { code, stdout } = await conform(url);
    expect(stdout).toMatch(new RegExp(`^Cannot run the 1 scenario: probe connect failed: actor "probe": could not open ${escape(url)}: connect ECONNREFUSED `, "m"));
    expect(count(stdout, "ECONNREFUSED")).toBe(1);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway could not be reached (connection refused: nothing listens there), so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });
});
