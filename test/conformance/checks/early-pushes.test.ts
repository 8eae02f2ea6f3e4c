/**
 * SPEC E1 pushes go to handshaken connections (H4: hello-ok's snapshot is where a list starts). The
 * probe's own connect rarely meets a push round, so every connection of the scenarios is watched too:
 * a gateway that adds a socket to its fan-out when it opens (not when its hello-ok is written) is
 * caught by the run's check `no-push-before-hello-ok-in-scenarios`, on the probe's result, without
 * failing the scenario whose connection saw it. Real gateways on loopback: a scripted one with that
 * fault (its hello-ok comes before its push round, so the probe alone passes it) and the reference.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { formatReport } from "../../../src/conformance/report/formats.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import { fakeHelloOk, referenceGateway, runOptions } from "../gateways.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A JSON-RPC gateway that pushes every change to every open socket, handshaken or not (the fault). */
async function fanOutAtOpen(): Promise<string> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const rows = new Map<string, object>([["self", { reason: "self", mode: "gateway", host: "fake", ts: Date.now() }]]);
  const sockets = new Set<WebSocket>();
  let version = 1;
  const list = () => [...rows.values()];
  const push = () => {
    version++;
    for (const s of sockets) s.send(JSON.stringify({ jsonrpc: "2.0", method: "presence", params: { presence: list(), stateVersion: { presence: version } } }));
  };
  server.on("connection", (ws: WebSocket) => {
    sockets.add(ws); // the fault: in the fan-out from the socket's open
    ws.on("close", () => sockets.delete(ws));
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: string | number; method: string; params?: { client?: { instanceId?: string; mode?: string } } };
      const answer = (body: object) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, ...body }));
      if (req.method === "connect") {
        const client = req.params?.client;
        if (client?.instanceId && client.mode !== "cli") rows.set(client.instanceId, { instanceId: client.instanceId, mode: client.mode, reason: "connect", ts: Date.now() });
        answer({ result: fakeHelloOk(list()) });
        push(); // after this connection's hello-ok: the probe's own connect shows nothing wrong
      } else if (req.method === "system-presence") answer({ result: list() });
      else answer({ error: { code: -32601, message: "no such method", data: { code: "METHOD_NOT_FOUND" } } });
    });
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** An actor holds an open socket (no connect yet) while another connects; then it connects too. */
const waiting: Scenario = {
  id: "waits-then-connects",
  title: "one actor waits on an open socket while another connects",
  rules: ["P2"],
  level: "MUST",
  actors: { late: { client: { instanceId: "${run}-late" } }, first: { client: { instanceId: "${run}-first" } } },
  steps: [
    { step: "open", actor: "late" },
    { step: "connect", actor: "first" },
    { step: "sleep", ms: 200 },
    { step: "connect", actor: "late" },
    { step: "list", actor: "first", contains: [{ instanceId: "${run}-first" }, { instanceId: "${run}-late" }] },
  ],
};

describe("pushes before hello-ok on the scenarios' connections (SPEC E1, H4)", () => {
  it("a gateway that adds sockets to its fan-out at open fails the run's check, naming the actor and scenario; the scenario's own verdict stands", async () => {
    const url = await fanOutAtOpen();
    const result = await runConformance({ url, scenarios: [waiting] });
    expect(result.error).toBeUndefined();
    const probe = result.probe.result!;
    // The probe's own connection saw nothing early: its hello-ok came before the push round.
    expect(probe.checks.find((c) => c.id === "no-push-before-hello-ok")?.status).toBe("passed");
    const check = probe.checks.find((c) => c.id === "no-push-before-hello-ok-in-scenarios")!;
    expect(check).toMatchObject({ status: "failed", rules: ["E1", "H4"], level: "MUST" });
    expect(check.message).toMatch(
      /^actor "late" of waits-then-connects got 1 "presence" event before the answer to its connect \(1 of the 2 connections of the scenarios, in 1 scenario\): a gateway sends hello-ok first and pushes only to handshaken connections/,
    );
    expect(check.frames?.[0]).toMatchObject({ actor: "waits-then-connects late", dir: "recv", text: expect.stringContaining('"method":"presence"') });
    expect(result.scenarios[0]!.status).toBe("passed");
    expect(result.byRule.P2?.failed).toBe(0);
    expect(result.byRule.E1?.failed).toBe(1);
    expect(result.summary.probeFailures).toBe(1);
    expect(result).toMatchObject({ behaviourOk: false, ok: false });
    const pretty = formatReport(result, "pretty");
    expect(pretty).toMatch(/\nPushed before hello-ok \(a check of the run; it does not change those scenarios' verdicts\):\n {6}no-push-before-hello-ok-in-scenarios \[MUST E1,H4\] /);
    expect(pretty.trimEnd().split("\n").pop()).toBe("FAIL: the probe: events pushed before hello-ok (see above)");
    // Said once in the file: not also at its start, where the probe's own lines are.
    expect(pretty.split("no-push-before-hello-ok-in-scenarios [MUST").length - 1).toBe(1);
  });

  it("a connection that never got hello-ok is said so", async () => {
    const url = await fanOutAtOpen();
    const openOnly: Scenario = { ...waiting, id: "waits-only", steps: [waiting.steps[0]!, waiting.steps[1]!, { step: "sleep", ms: 200 }] };
    const result = await runConformance({ url, scenarios: [openOnly] });
    const check = result.probe.result!.checks.find((c) => c.id === "no-push-before-hello-ok-in-scenarios")!;
    expect(check.message).toMatch(/^actor "late" of waits-only got 1 "presence" event on a connection that never got hello-ok \(1 of the 2 connections/);
  });

  it("the reference gateway passes: no such check is added, every scenario's connections watched", async () => {
    const gateway = await referenceGateway();
    closers.push(() => gateway.close());
    const result = await runConformance(runOptions(gateway, { only: ["h1-request-before-connect", "p6-disconnect-keeps-row", "e1-events-on-change", "k2-untracked-beacon-ignored"] }));
    expect(result.ok).toBe(true);
    expect(result.probe.result!.checks.map((c) => c.id)).not.toContain("no-push-before-hello-ok-in-scenarios");
  });
});
