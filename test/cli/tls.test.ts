// wss:// for list, watch and doctor alike: a TLS relay on loopback in front of the reference gateway,
// with a self-signed certificate for 127.0.0.1 and ::1 (test/support/tls-relay.ts). Trusted through
// Node's NODE_EXTRA_CA_CERTS the commands read the gateway; untrusted, expired, for another host name,
// a wss:// URL to a plain gateway, or a TLS server that refuses the handshake, they say what is wrong
// and what to do, in the same words (src/cli/connection.ts, from the SDK's tlsProblem()), and watch
// stops at once on any of these instead of retrying.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli, cliResult } from "../support/cli.js";
import { closedPort } from "../support/ports.js";
import { startTlsRelay, TLS_CERT, TLS_KEY, type TlsRelay } from "../support/tls-relay.js";
import { scaled } from "../support/timing.js";

const TRUSTED = { NODE_EXTRA_CA_CERTS: TLS_CERT };

/** `watch --json` at `url` stops after one attempt, exit 1, saying `said` as list does; its JSON states. */
async function watchStopsAtOnce(url: string, said: string, env?: Record<string, string>): Promise<Array<{ state: string; reason?: string }>> {
  const watch = await cliResult(["watch", "--url", url, "--json"], { env });
  expect(watch.stderr).toBe(`gateway-presence watch: ${said}\n`);
  expect(watch.code).toBe(1);
  const states = watch.stdout.trim().split("\n").map((line) => JSON.parse(line) as { state: string; reason?: string });
  expect(states.map((s) => s.state)).toEqual(["connecting", "closed"]);
  return states;
}

describe("wss:// URLs: list, watch and doctor", () => {
  let gw: Gateway;
  let relay: TlsRelay;
  let expired: TlsRelay;
  let wss: string;
  beforeAll(async () => {
    gw = await createGateway({ port: 0 });
    relay = await startTlsRelay(gw.port);
    expired = await startTlsRelay(gw.port, { expired: true });
    wss = relay.url;
  });
  afterAll(async () => {
    await relay?.close();
    await expired?.close();
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
    await expect.poll(() => watch.stdout(), { timeout: scaled(15_000) }).toMatch(/"state":"open"/);
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
    // watch stops at once (no --timeout-ms): retrying cannot make the certificate trusted.
    const states = await watchStopsAtOnce(wss, said);
    expect(states[1]!.reason).toBe(said);
  });

  it("an expired certificate, and one for another host name: list and watch say which, watch stops at once", async () => {
    const old = `cannot reach the gateway at ${expired.url}: CERT_HAS_EXPIRED (the gateway's TLS certificate has expired or is not valid yet)`;
    const list = await cliResult(["list", "--url", expired.url]);
    expect(list.stderr).toBe(`gateway-presence list: ${old}\n`);
    const watch = await cliResult(["watch", "--url", expired.url]);
    expect(watch.stderr).toBe(`gateway-presence watch: ${old}\n`);
    expect(watch.code).toBe(1);
    // The certificate names 127.0.0.1 and ::1, not "localhost".
    const byName = wss.replace("127.0.0.1", "localhost");
    const elsewhere = `cannot reach the gateway at ${byName}: ERR_TLS_CERT_ALTNAME_INVALID (the gateway's TLS certificate is not for this host name: use one it names)`;
    const named = await cliResult(["watch", "--url", byName], { env: TRUSTED });
    expect(named.stderr).toBe(`gateway-presence watch: ${elsewhere}\n`);
    expect(named.code).toBe(1);
  });

  it("a wss:// gateway that is down is still retried by watch (no certificate to judge)", async () => {
    const url = `wss://127.0.0.1:${await closedPort()}`;
    const watch = cli(["watch", "--url", url, "--json"], { env: TRUSTED });
    await expect.poll(() => watch.stdout().match(/"state":"reconnecting"/g)?.length ?? 0, { timeout: scaled(20_000) }).toBeGreaterThanOrEqual(2);
    expect(watch.stdout()).toMatch(/ECONNREFUSED/);
    watch.child.kill("SIGINT");
    expect(await watch.exit).toBe(0);
  });

  it("wss:// to a gateway that serves plain WebSocket: 'no TLS there'; watch stops at once (the URL is wrong, retrying cannot help)", async () => {
    const url = gw.url.replace(/^ws:/, "wss:");
    const said = `cannot reach the gateway at ${url}: EPROTO (no TLS there: if the gateway serves plain WebSocket, use ws://)`;
    const list = await cliResult(["list", "--url", url]);
    expect(list.stderr).toBe(`gateway-presence list: ${said}\n`);
    expect(list.code).toBe(1);
    await watchStopsAtOnce(url, said);
  });

  it("a TLS server that refuses the handshake (TLS 1.3 only, the CLI offers 1.2 at most): list says so, not 'no TLS there'; watch stops at once", async () => {
    const server = createTlsServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY), minVersion: "TLSv1.3" }, (socket) => socket.end());
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const env = { ...TRUSTED, NODE_OPTIONS: "--tls-max-v1.2" };
      const said = `cannot reach the gateway at ${url}: EPROTO (the gateway's TLS refused the handshake: it accepts no TLS version or cipher this client offers, or wants a client certificate)`;
      const list = await cliResult(["list", "--url", url], { env });
      expect(list.stderr).toBe(`gateway-presence list: ${said}\n`);
      expect(list.code).toBe(1);
      await watchStopsAtOnce(url, said, env);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
