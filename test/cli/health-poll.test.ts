/**
 * watch's /healthz poll (src/cli/health-poll.ts) against a real HTTP server on a loopback port that
 * answers as scripted: a cluster gateway's answer that comes late once does not end the watching, and a
 * degraded known from an earlier connection is taken back when the gateway now says it is not shared.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { pollHealth } from "../../src/cli/health-poll.js";
import { eventually } from "../support/eventually.js";
import { scaled } from "../support/timing.js";

type Answer = { body: unknown; delayMs?: number };

const servers: Server[] = [];
const stops: Array<() => void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())));
});

/** A server whose n-th GET /healthz gets `answers[n]` (the last one from then on); its ws:// URL. */
async function healthz(answers: Answer[]): Promise<{ url: string; asked: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    const answer = answers[Math.min(n++, answers.length - 1)]!;
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer.body)), answer.delayMs ?? 0);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, asked: () => n };
}

const cluster = (status: string) => ({ body: { status, store: { backend: "redis", shared: true, healthy: status === "ok" } } });

describe("watch's /healthz poll", () => {
  it("keeps asking a cluster gateway after an answer that came too late, and sees it recover", async () => {
    // Was: the late answer ended the poll, and watch said 'degraded' until the next reconnect.
    const { url } = await healthz([cluster("degraded"), { ...cluster("degraded"), delayMs: 600 }, cluster("ok")]);
    const changes: boolean[] = [];
    stops.push(pollHealth(url, false, (d) => changes.push(d), 200));
    await eventually(() => expect(changes).toEqual([true, false]), scaled(5_000));
  });

  it("takes back a degraded known from the last connection when the gateway's store is not shared", async () => {
    const { url, asked } = await healthz([{ body: { status: "ok", store: { backend: "memory", shared: false, healthy: true } } }]);
    const changes: boolean[] = [];
    stops.push(pollHealth(url, true, (d) => changes.push(d), 100));
    await eventually(() => expect(changes).toEqual([false]), scaled(5_000));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(asked(), "one gateway, never degraded: asked once").toBe(1);
  });

  it("stops after a few asks that get no such answer (not the reference gateway)", async () => {
    const { url, asked } = await healthz([{ body: { hello: "world" } }]);
    const changes: boolean[] = [];
    stops.push(pollHealth(url, false, (d) => changes.push(d), 50));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(asked()).toBe(3);
    expect(changes).toEqual([]);
  });
});
