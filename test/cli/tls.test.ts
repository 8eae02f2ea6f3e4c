// wss:// for list, watch and doctor alike: a TLS relay on loopback in front of the reference gateway,
// with a self-signed certificate for 127.0.0.1 and ::1 (test/support/tls, made once with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
// -subj "/CN=gateway-presence test" -addext "subjectAltName=IP:127.0.0.1,IP:::1"`). Trusted through
// Node's NODE_EXTRA_CA_CERTS the commands read the gateway; untrusted, or a wss:// URL to a plain
// gateway, they say what is wrong and what to do, in the same words (src/cli/connection.ts).
import { readFileSync } from "node:fs";
import { connect, type AddressInfo } from "node:net";
import { createServer, type Server } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli, cliResult } from "../support/cli.js";

const CERT = fileURLToPath(new URL("../support/tls/cert.pem", import.meta.url));
const KEY = fileURLToPath(new URL("../support/tls/key.pem", import.meta.url));
const TRUSTED = { NODE_EXTRA_CA_CERTS: CERT };

describe("wss:// URLs: list, watch and doctor", () => {
  let gw: Gateway;
  let relay: Server;
  let wss: string;
  beforeAll(async () => {
    gw = await createGateway({ port: 0 });
    relay = createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (socket) => {
      const upstream = connect(gw.port, "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    wss = `wss://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => relay?.close(resolve));
    await gw?.close();
  });

  it("a certificate trusted through NODE_EXTRA_CA_CERTS: list and doctor read the gateway, watch shows it", async () => {
    const list = await cliResult(["list", "--url", wss, "--json"], { env: TRUSTED });
    expect(list.stderr).toBe("");
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ reason?: string }>).map((e) => e.reason)).toEqual(["self"]);
    const doctor = await cliResult(["doctor", "--url", wss], { env: TRUSTED });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(new RegExp(`^gateway-presence doctor {2}${wss}\\n`));
    const watch = cli(["watch", "--url", wss, "--json"], { env: TRUSTED });
    await expect.poll(() => watch.stdout(), { timeout: 15_000 }).toMatch(/"state":"open"/);
    watch.child.kill("SIGINT");
    expect(await watch.exit).toBe(0);
  });

  it("an untrusted certificate: each command says so and how to trust it", async () => {
    const hint = "(the gateway's TLS certificate is not trusted here: for a private CA or a self-signed certificate, give it with NODE_EXTRA_CA_CERTS=FILE)";
    const said = `cannot reach the gateway at ${wss}: DEPTH_ZERO_SELF_SIGNED_CERT ${hint}`;
    const list = await cliResult(["list", "--url", wss]);
    expect(list.stderr).toBe(`gateway-presence list: ${said}\n`);
    expect(list.code).toBe(1);
    const doctor = await cliResult(["doctor", "--url", wss]);
    expect(doctor.stderr).toBe(`gateway-presence doctor: ${said}\n`);
    expect(doctor.code).toBe(2);
    const watch = await cliResult(["watch", "--url", wss, "--timeout-ms", "1000", "--json"]);
    expect(watch.stderr).toBe(`gateway-presence watch: ${said} (no list within --timeout-ms 1000: stopped retrying)\n`);
    expect(watch.code).toBe(1);
  });

  it("wss:// to a gateway that serves plain WebSocket: 'no TLS there'", async () => {
    const url = gw.url.replace(/^ws:/, "wss:");
    const list = await cliResult(["list", "--url", url]);
    expect(list.stderr).toBe(`gateway-presence list: cannot reach the gateway at ${url}: EPROTO (no TLS there: if the gateway serves plain WebSocket, use ws://)\n`);
    expect(list.code).toBe(1);
  });
});
