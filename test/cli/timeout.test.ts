// --timeout-ms means the same for list, watch and doctor (src/cli/connection.ts): the time allowed to
// connect and get the first list, each step (socket and handshake, a listing) bounded by it. watch
// retries a gateway that is not up within it and exits 1 after it, like list; once it has a list it
// watches on, for as long as it runs. Real processes against a real loopback server that accepts
// the WebSocket and reads `connect` but never answers it, a port nobody listens on, and the
// reference gateway.
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { createPresenceClient, type PresenceClient } from "../../src/index.js";
import { waitFor } from "../client/scripted-gateway.js";
import { cli, cliResult } from "../support/cli.js";
import { closedPort } from "../support/ports.js";
import { scaled } from "../support/timing.js";

/** A WebSocket server on loopback that accepts every socket, keeps the frames it gets, and answers none. */
async function silentGateway() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const frames: string[] = [];
  let sockets = 0;
  server.on("connection", (socket) => {
    sockets++;
    socket.on("message", (data) => frames.push(String(data)));
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, frames, sockets: () => sockets, close: () => new Promise((resolve) => server.close(resolve)) };
}

type StateLine = { type: string; state?: string; reason?: string; instances?: Array<{ host?: string }> };
const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as StateLine);

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe("--timeout-ms: list, watch and doctor", () => {
  it("a gateway that accepts the socket and never answers connect: all three stop after --timeout-ms with the same words", async () => {
    const silent = await silentGateway();
    closers.push(silent.close);
    const said = `no handshake with the gateway at ${silent.url}: connect: no answer within 700 ms (if the gateway speaks OpenClaw's frames, e.g. an OpenClaw gateway or a listener started with --binding openclaw, add --binding openclaw)`;

    const watch = cli(["watch", "--url", silent.url, "--timeout-ms", "700", "--json"]);
    expect(await watch.exit).toBe(1);
    // One sentence, one parenthesis: the binding hint's, then why watch stopped.
    const stopped = `${said}; stopped retrying after --timeout-ms 700 with no list`;
    expect(watch.stderr()).toBe(`gateway-presence watch: ${stopped}\n`);
    // One attempt: the retry would have started after the 700 ms; the last line says why it closed.
    expect(silent.sockets()).toBe(1);
    const states = jsonLines(watch.stdout());
    expect(states.map((l) => l.state)).toEqual(["connecting", "closed"]);
    // The closed state says what stderr says.
    expect(states[1]!.reason).toBe(stopped);
    // It got as far as sending connect, which the server read and left unanswered.
    expect(silent.frames.some((f) => (JSON.parse(f) as { method?: string }).method === "connect")).toBe(true);

    const list = await cliResult(["list", "--url", silent.url, "--timeout-ms", "700"]);
    expect(list.stderr).toBe(`gateway-presence list: ${said}\n`);
    expect(list.code).toBe(1);
    const doctor = await cliResult(["doctor", "--url", silent.url, "--timeout-ms", "700"]);
    expect(doctor.stderr).toBe(`gateway-presence doctor: ${said}\n`);
    expect(doctor.code).toBe(2);
  });

  it("watch retries a gateway that is not up within --timeout-ms, then exits 1 naming the last failure", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const run = cli(["watch", "--url", url, "--timeout-ms", "1500", "--json"]);
    expect(await run.exit).toBe(1);
    const states = jsonLines(run.stdout()).map((l) => l.state);
    expect(states[0]).toBe("connecting");
    expect(states).toContain("reconnecting");
    expect(states.at(-1)).toBe("closed");
    expect(run.stderr()).toMatch(
      new RegExp(`^gateway-presence watch: cannot reach the gateway at ${url}: ECONNREFUSED \\(connection refused: nothing listens there; is a gateway running there\\? \`gateway-presence serve\` starts one\\); stopped retrying after --timeout-ms 1500 with no list\\n$`),
    );
    // --json's closed state says the same, naming the URL once (not the client's "cannot open <url>: ").
    expect(jsonLines(run.stdout()).at(-1)!.reason).toBe(`cannot reach the gateway at ${url}: ECONNREFUSED (connection refused: nothing listens there; is a gateway running there? \`gateway-presence serve\` starts one); stopped retrying after --timeout-ms 1500 with no list`);
  });

  describe("against the reference gateway", () => {
    const clients: PresenceClient[] = [];
    const gateways: Gateway[] = [];
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(gateways.splice(0).map((g) => g.close()));
    });
    const start = async (port = 0) => {
      const gw = await createGateway({ port });
      gateways.push(gw);
      return gw;
    };
    const connectClient = async (url: string, name: string) => {
      const c = createPresenceClient({ url, client: { id: "test", displayName: name, version: "1", platform: "linux", mode: "ui" }, instanceId: name });
      clients.push(c);
      await c.connect();
      return c;
    };

    it("watch --timeout-ms waits for a gateway that comes up in time", async () => {
      const port = await closedPort();
      const run = cli(["watch", "--url", `ws://127.0.0.1:${port}`, "--timeout-ms", "60000", "--json"]);
      await waitFor(() => jsonLines(run.stdout()).some((l) => l.state === "reconnecting"), "a failed first attempt", scaled(15_000));
      await start(port);
      await waitFor(() => jsonLines(run.stdout()).some((l) => l.state === "open"), "watch to connect once the gateway is up", scaled(15_000));
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
      expect(run.stderr()).toBe("");
    });

    it("watch --timeout-ms is not a limit on how long it watches: past it, changes still show and a restart is waited for", async () => {
      const first = await start();
      // 1 s on a quiet machine, more on a busy one: the first list must still come within it.
      const timeoutMs = scaled(1_000);
      const run = cli(["watch", "--url", first.url, "--timeout-ms", String(timeoutMs), "--json"]);
      const lines = () => jsonLines(run.stdout());
      await waitFor(() => lines().some((l) => l.state === "open"), "watch to connect", scaled(15_000));
      await new Promise((resolve) => setTimeout(resolve, timeoutMs + 500));
      await connectClient(first.url, "late");
      await waitFor(() => lines().some((l) => l.instances?.some((e) => e.host === "late") ?? false), "a change after --timeout-ms", scaled(15_000));

      // The gateway goes away for longer than --timeout-ms: watch waits for it (that was not its first list).
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await first.close();
      gateways.length = 0;
      await waitFor(() => lines().some((l) => l.state === "reconnecting"), "watch to notice the restart", scaled(15_000));
      await new Promise((resolve) => setTimeout(resolve, timeoutMs + 500));
      expect(run.child.exitCode).toBe(null);
      await start(first.port);
      await waitFor(() => lines().filter((l) => l.state === "open").length === 2, "watch to reconnect", scaled(30_000));
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
      expect(run.stderr()).toBe("");
    });
  });

  it("--help: list, watch and doctor list the same connection options, in the same order", async () => {
    const CONNECTION = ["--url", "--binding", "--identity", "--token", "--token-file", "--timeout-ms"];
    for (const command of ["list", "watch", "doctor"]) {
      const help = await cliResult([command, "--help"]);
      expect(help.code).toBe(0);
      const options = [...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
      expect(options.slice(0, CONNECTION.length), command).toEqual(CONNECTION);
      expect(help.stdout).toMatch(/--timeout-ms <ms> +give up on a step after this long: opening the socket and/);
    }
  });
});
