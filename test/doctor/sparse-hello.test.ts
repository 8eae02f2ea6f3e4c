// The doctor reads a gateway whose hello-ok has only the snapshot SPEC H4 asks beside features,
// policy and server (a home-grown gateway): it reports on the list instead of crashing on
// hello.server.version / hello.features.methods. Scripted gateway on loopback.
import { afterEach, expect, it } from "vitest";
import { analyze, readGateway, renderReport } from "../../src/doctor/index.js";
import { helloFor, startScriptedGateway, type ScriptedGateway } from "../client/scripted-gateway.js";

let gw: ScriptedGateway;
afterEach(() => gw.close());

it("reads and reports a gateway whose hello-ok has no features, policy or server", async () => {
  gw = await startScriptedGateway();
  gw.list = [{ host: "gw", mode: "gateway", reason: "self", ts: Date.now() }, { instanceId: "desk-1", host: "desk", mode: "ui", reason: "connect", ts: Date.now() }];
  gw.handlers.connect = () => {
    const hello = helloFor(gw.list, gw.version) as unknown as Record<string, unknown>;
    delete hello.features, delete hello.policy, delete hello.server;
    return hello;
  };
  const observation = await readGateway({ url: gw.url, timeoutMs: 15_000 }); // generous: only a failure waits for it
  expect(observation.hello).toMatchObject({ serverVersion: "(no server.version)", methods: [] });
  const text = renderReport(analyze(observation), { color: false });
  expect(text).toContain("gateway (no server.version)");
  expect(text).toContain("2 rows: 2 Active");
});
