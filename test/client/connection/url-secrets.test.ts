// The client SDK shows a URL it was given only redacted: a token in its query or user:password may
// be there, and its errors and state reasons end up in logs (the CLI prints them as they are). Over
// real loopback sockets: a closed port, a port that accepts TCP and never answers the upgrade, a URL
// ws itself refuses; and the URL is still used as given (the gateway receives query and credentials).
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { Connection, type WebSocketConstructor } from "../../../src/client/connection.js";
import { resolveBinding } from "../../../src/client/bindings.js";
import { createPresenceClient, TransportError, type PresenceClient, type StateChange } from "../../../src/index.js";
import { redactUrl, redactUrlsIn, urlSecrets } from "../../../src/transport/redact.js";
import { startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };
const TOKEN = "url-token-3b9f1e";
const PASSWORD = "url-password-77d2";
const SESSION = "url-session-c4a0";
const SECRETS = [TOKEN, PASSWORD, SESSION];
const urlFor = (port: number) => `ws://alice:${PASSWORD}@127.0.0.1:${port}/?token=${TOKEN}&session=${SESSION}`;
const shownFor = (port: number) => `ws://<REDACTED>@127.0.0.1:${port}/?token=<REDACTED>&session=<REDACTED>`;

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("client SDK: a URL's secrets never reach an error or a state reason", () => {
  const clients: PresenceClient[] = [];
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  let gw: ScriptedGateway | undefined;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    await gw?.close();
    gw = undefined;
  });

  it("a closed port: connect() rejects and every reconnecting state names host and port, not the secrets", async () => {
    const port = await closedPort();
    const states: StateChange[] = [];
    const client = createPresenceClient({ url: urlFor(port), client: info, reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
    clients.push(client);
    client.on("state", (s) => states.push(s));
    const error = (await client.connect({ retry: true }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toBe(`cannot open ${shownFor(port)}: ECONNREFUSED`);
    const reasons = states.filter((s) => s.state === "reconnecting" || s.state === "closed").map((s) => s.reason);
    expect(reasons).toEqual([...Array(2).fill(`cannot open ${shownFor(port)}: ECONNREFUSED`), `gave up after 3 attempts: cannot open ${shownFor(port)}: ECONNREFUSED`]);
    expectNoSecret(JSON.stringify(states) + error.message + (error.stack ?? ""));
  });

  it("a port that never answers the upgrade: the timeout names the redacted URL", async () => {
    const server = createServer((socket) => sockets.push(socket)); // accepts TCP, says nothing
    servers.push(server);
    const port = await listen(server);
    const client = createPresenceClient({ url: urlFor(port), client: info, connectTimeoutMs: 200, reconnect: false });
    clients.push(client);
    const error = (await client.connect().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`cannot open ${shownFor(port)}: not open within 200 ms`);
    expectNoSecret(error.message + (error.stack ?? ""));
  });

  it("a URL that is no URL is refused by createPresenceClient, and one ws refuses is redacted too", async () => {
    const badPort = `ws://alice:${PASSWORD}@127.0.0.1:99999/?token=${TOKEN}`;
    expect(() => createPresenceClient({ url: badPort, client: info })).toThrow(
      'createPresenceClient: url is not a valid URL (host, port 1-65535, reserved characters percent-encoded): "ws://<REDACTED>@127.0.0.1:99999/?token=<REDACTED>"',
    );
    expect(() => createPresenceClient({ url: `http://alice:${PASSWORD}@127.0.0.1:1/?token=${TOKEN}`, client: info })).toThrow(
      'createPresenceClient: url must start with ws:// or wss://, got "http://<REDACTED>@127.0.0.1:1/?token=<REDACTED>"',
    );
    // ws's own refusal quotes the URL ("Invalid URL: ws://..."): the connection passes it on redacted.
    const handlers = { onFrame: () => {}, onBadFrame: () => {}, onClose: () => {} };
    const refused = (await Connection.open(badPort, WebSocket as unknown as WebSocketConstructor, resolveBinding(undefined), handlers, 1000).catch((e: unknown) => e)) as Error;
    expect(refused).toBeInstanceOf(SyntaxError);
    expect(refused.message).toBe("Invalid URL: ws://<REDACTED>@127.0.0.1:99999/?token=<REDACTED>");
    expectNoSecret(refused.message + (refused.stack ?? ""));
  });

  it("display only: the gateway receives the query and user:password as given, and the client connects", async () => {
    gw = await startScriptedGateway();
    const port = Number(new URL(gw.url).port);
    const seen: Array<{ url?: string; authorization?: string }> = [];
    gw.onConnection = (_socket, request) => void seen.push({ url: request.url, authorization: request.headers.authorization });
    const client = createPresenceClient({ url: urlFor(port), client: info, reconnect: false });
    clients.push(client);
    await client.connect();
    await waitFor(() => seen.length === 1, "the upgrade");
    expect(seen[0]).toEqual({ url: `/?token=${TOKEN}&session=${SESSION}`, authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString("base64")}` });
  });
});

describe("redactUrlsIn and urlSecrets", () => {
  it("a quoted URL reads as redactUrl shows it, and its credentials are found where a message quotes them alone", () => {
    const url = urlFor(18789);
    expect(urlSecrets(url)).toEqual([PASSWORD, TOKEN, "alice"].sort((a, b) => b.length - a.length));
    expect(redactUrlsIn(`open ${url}; user alice, pass ${PASSWORD}, token ${TOKEN}, session ${SESSION}`, [url])).toBe(
      `open ${shownFor(18789)}; user alice, pass <REDACTED>, token <REDACTED>, session ${SESSION}`,
    );
    // A session value is not a credential by name: blanked inside the URL (redactUrl blanks every query value), kept elsewhere.
    expect(redactUrl(url)).toBe(shownFor(18789));
    // Percent-encoded credentials are found decoded as well.
    expect(urlSecrets("ws://u:p%40ss-word@h:1/?access_token=a%2Fbcdefg&x=y")).toEqual(["p%40ss-word", "a%2Fbcdefg", "p@ss-word", "a/bcdefg", "u"]);
    expect(redactUrlsIn("nothing here", ["ws://127.0.0.1:1"])).toBe("nothing here");
  });
});
