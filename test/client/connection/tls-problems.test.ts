// tlsProblem() on real loopback sockets: a wss:// URL to a port that answers, but not in TLS (a plain
// gateway, a server whose first bytes read as an impossible TLS record), and a TLS server that refuses
// the handshake, each as Node 20 reports it through `ws` (`EPROTO`, OpenSSL's reason in the message)
// and through node:tls (`ERR_SSL_*` codes). Certificate problems: tls-certificates.test.ts.
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type AddressInfo, type Server } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { certificateProblem, createPresenceClient, tlsProblem, TransportError, type PresenceClient } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { closedPort } from "../../support/ports.js";
import { TLS_CERT, TLS_KEY } from "../../support/tls-relay.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

/** ws offering TLS 1.2 at most (and trusting the test certificate). */
class Tls12WebSocket extends WebSocket {
  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    super(url, { ...options, ca: readFileSync(TLS_CERT), maxVersion: "TLSv1.2" });
  }
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("tlsProblem(): what went wrong in TLS, from Node's error", () => {
  let gw: Gateway | undefined;
  let server: Server | undefined;
  let client: PresenceClient | undefined;
  afterEach(async () => {
    await client?.close();
    await gw?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    client = gw = server = undefined;
  });

  /** connect() to `url` (no retry) and its rejection. */
  async function failure(url: string, WebSocketImpl?: typeof Tls12WebSocket): Promise<TransportError> {
    client = createPresenceClient({ url, client: info, ...(WebSocketImpl ? { WebSocket: WebSocketImpl as never } : {}) });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }

  it("wss:// to a gateway that serves plain WebSocket: no-tls (EPROTO, OpenSSL's 'wrong version number'), not a certificate problem", async () => {
    gw = await createGateway({ port: 0 });
    const url = gw.url.replace(/^ws:/, "wss:");
    const error = await failure(url);
    expect(error.message).toBe(`cannot open ${url}: EPROTO`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe("EPROTO");
    expect((error.cause as Error).message).toMatch(/wrong version number/);
    expect(tlsProblem(error)).toBe("no-tls");
    expect(certificateProblem(error)).toBeUndefined();
  });

  it("a port whose answer reads as a TLS record too long to be one: no-tls ('packet length too long')", async () => {
    // A handshake record header (type 22, TLS 1.2) announcing 65535 bytes, more than a record may hold.
    server = createTcpServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.write(Buffer.from([0x16, 0x03, 0x03, 0xff, 0xff, 0, 0, 0, 0, 0])));
    });
    const port = await listening(server);
    const error = await failure(`wss://127.0.0.1:${port}`);
    expect((error.cause as Error).message).toMatch(/packet length too long/);
    expect(tlsProblem(error)).toBe("no-tls");
  });

  it("a TLS server that refuses the handshake (TLS 1.3 only, the client offers 1.2 at most): handshake, not no-tls", async () => {
    server = createTlsServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY), minVersion: "TLSv1.3" }, (socket) => socket.end());
    server.on("tlsClientError", () => {});
    const port = await listening(server);
    const error = await failure(`wss://127.0.0.1:${port}`, Tls12WebSocket);
    expect(error.message).toBe(`cannot open wss://127.0.0.1:${port}: EPROTO`);
    expect((error.cause as Error).message).toMatch(/alert protocol version/);
    expect(tlsProblem(error)).toBe("handshake");
    expect(certificateProblem(error)).toBeUndefined();
  });

  it("node:tls's own codes for a plain port (ERR_SSL_WRONG_VERSION_NUMBER) as a TransportError's cause: no-tls", async () => {
    gw = await createGateway({ port: 0 });
    const cause = await new Promise<NodeJS.ErrnoException>((resolve) => tlsConnect({ host: "127.0.0.1", port: gw!.port }).on("error", resolve));
    expect(cause.code).toBe("ERR_SSL_WRONG_VERSION_NUMBER");
    expect(tlsProblem(new TransportError("closed", `cannot open wss://127.0.0.1:${gw.port}: ${cause.code}`, { cause }))).toBe("no-tls");
  });

  it("other failures are no TLS problem: a refused wss:// port, a plain ws:// gateway that is down", async () => {
    const refused = await failure(`wss://127.0.0.1:${await closedPort()}`);
    expect((refused.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    expect(tlsProblem(refused)).toBeUndefined();
    expect(tlsProblem(await failure(`ws://127.0.0.1:${await closedPort()}`))).toBeUndefined();
    expect(tlsProblem(new Error("cannot open wss://127.0.0.1:1: CERT_HAS_EXPIRED"))).toBeUndefined(); // not a TransportError
  });

  it("a TransportError without Node's error as cause is read by the code its message quotes last", () => {
    const made = (why: string) => new TransportError("closed", `cannot open wss://127.0.0.1:1: ${why}`);
    expect(tlsProblem(made("CERT_HAS_EXPIRED"))).toBe("expired");
    expect(certificateProblem(made("DEPTH_ZERO_SELF_SIGNED_CERT"))).toBe("untrusted");
    expect(tlsProblem(made("ERR_SSL_WRONG_VERSION_NUMBER"))).toBe("no-tls");
    // EPROTO alone does not say whether the port spoke TLS: OpenSSL's reason is in Node's error only.
    expect(tlsProblem(made("EPROTO"))).toBeUndefined();
    expect(tlsProblem(made("ECONNREFUSED"))).toBeUndefined();
  });
});
