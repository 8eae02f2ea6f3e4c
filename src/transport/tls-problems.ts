/** What went wrong in a wss:// connection's TLS, classified from Node's error (the SDK's TransportError cause), and the words for a person. */

/**
 * What is wrong with a wss:// gateway's TLS certificate: not trusted here (self-signed, a private CA),
 * expired or not valid yet, or made for another host name. Each needs a person (a CA given, the
 * certificate renewed, the URL changed); the client still retries them (a renewed certificate is
 * picked up by the next attempt), see docs/client.md "TLS certificates".
 */
export type CertificateProblem = "untrusted" | "expired" | "hostname";

/**
 * Why a wss:// connection attempt failed in TLS: a CertificateProblem; `"no-tls"`, the port answered
 * but not in TLS (a plain ws:// gateway, another service: the URL is wrong); or `"handshake"`, a TLS
 * server that refused the handshake (no TLS version or cipher both sides accept, a client certificate
 * wanted). Like certificate problems, the client retries these; each needs a person.
 */
export type TlsProblem = CertificateProblem | "no-tls" | "handshake";

/** Node's error codes by what they mean (OpenSSL's verify codes, Node's own host-name check, OpenSSL's record errors). */
const TLS_CODES: ReadonlyArray<[RegExp, TlsProblem]> = [
  [/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED)$/, "untrusted"],
  [/^(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/, "expired"],
  [/^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/, "hostname"],
  [/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG)$/, "no-tls"],
  [/^ERR_SSL_(SSLV3|TLSV1\d?)_ALERT_/, "handshake"],
];

/**
 * OpenSSL's reasons behind Node's generic EPROTO (`write EPROTO ...:ssl3_get_record:wrong version
 * number:...`, which is what Node 20 gives through `ws`): the first bytes back were not a TLS record
 * (a plain HTTP/WebSocket answer reads as a "wrong version number", a long text line as a "packet
 * length too long"), or the server sent a TLS alert. Only the message names the reason.
 */
const NOT_TLS_REASON = /wrong version number|packet length too long/i;
const TLS_ALERT_REASON = /alert/i;

/**
 * The TlsProblem a failed connection attempt's Node error means (`cause`: its `code`, and for the
 * generic EPROTO OpenSSL's `reason`/`message`), else the code `message` quotes last
 * (`cannot open wss://...: CERT_HAS_EXPIRED`); undefined for any other failure. The client's
 * tlsProblem() (src/client/errors.ts) applies it to a TransportError.
 */
export function classifyTlsFailure(cause: unknown, message: string): TlsProblem | undefined {
  const c = cause as { code?: unknown; reason?: unknown; message?: unknown } | undefined;
  const code = typeof c?.code === "string" ? c.code : /: ([A-Z][A-Z0-9_]+)$/.exec(message)?.[1];
  if (code === undefined) return undefined;
  if (code === "EPROTO") {
    const reason = `${typeof c?.reason === "string" ? c.reason : ""} ${typeof c?.message === "string" ? c.message : ""}`;
    return NOT_TLS_REASON.test(reason) ? "no-tls" : TLS_ALERT_REASON.test(reason) ? "handshake" : undefined;
  }
  return TLS_CODES.find(([pattern]) => pattern.test(code))?.[1];
}

/**
 * What to do about each TlsProblem, in the words list, watch, doctor and conform say it (after the
 * failure, in parentheses): trust the CA, renew the certificate, change the URL or the TLS settings.
 */
export const TLS_PROBLEM_HINTS: Readonly<Record<TlsProblem, string>> = {
  untrusted: "the gateway's TLS certificate is not trusted here: for a private CA or a self-signed certificate, give it with NODE_EXTRA_CA_CERTS=FILE",
  expired: "the gateway's TLS certificate has expired or is not valid yet",
  hostname: "the gateway's TLS certificate is not for this host name: use one it names",
  "no-tls": "no TLS there: if the gateway serves plain WebSocket, use ws://",
  handshake: "the gateway's TLS refused the handshake: it accepts no TLS version or cipher this client offers, or wants a client certificate",
};
