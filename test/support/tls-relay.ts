/**
 * A TLS relay on 127.0.0.1 in front of a plain gateway port: wss:// for tests. Certificates in
 * test/support/tls: `cert.pem` (self-signed for 127.0.0.1 and ::1, valid to 2126; made with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
 * -subj "/CN=gateway-presence test" -addext "subjectAltName=IP:127.0.0.1,IP:::1"`) and
 * `expired-cert.pem` (the same names, valid 2000-01-01 to 2000-01-02 only; made with `openssl ca
 * -selfsign -startdate 20000101000000Z -enddate 20000102000000Z` from a request with that
 * subjectAltName). Neither is trusted unless a test gives it (NODE_EXTRA_CA_CERTS, `ca`).
 */
import { readFileSync } from "node:fs";
import { connect, type AddressInfo } from "node:net";
import { createServer } from "node:tls";
import { fileURLToPath } from "node:url";

const file = (name: string) => fileURLToPath(new URL(`./tls/${name}`, import.meta.url));
export const TLS_CERT = file("cert.pem");
export const TLS_KEY = file("key.pem");
export const EXPIRED_CERT = file("expired-cert.pem");
export const EXPIRED_KEY = file("expired-key.pem");

export interface TlsRelay {
  /** `wss://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Serves the other certificate from the next connection on (a certificate renewed in place). */
  serve(options: { expired?: boolean }): void;
  close(): Promise<void>;
}

/** Relays TLS connections to `upstreamPort` on 127.0.0.1; `expired`: serve the expired certificate. */
export async function startTlsRelay(upstreamPort: number, options: { expired?: boolean } = {}): Promise<TlsRelay> {
  const pair = (o: { expired?: boolean }) => {
    const [cert, key] = o.expired ? [EXPIRED_CERT, EXPIRED_KEY] : [TLS_CERT, TLS_KEY];
    return { cert: readFileSync(cert), key: readFileSync(key) };
  };
  const relay = createServer(pair(options), (socket) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  relay.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const port = (relay.address() as AddressInfo).port;
  return {
    url: `wss://127.0.0.1:${port}`,
    port,
    serve: (o) => relay.setSecureContext(pair(o)),
    close: () => new Promise((resolve) => relay.close(() => resolve())),
  };
}
