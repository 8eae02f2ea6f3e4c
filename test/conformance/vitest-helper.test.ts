/**
 * The Vitest helper as a gateway implementer uses it: one test per scenario, inside this test run.
 * The faulty gateway's suite marks its known failure `fails` (the test passes only because the
 * scenario fails) and skips a scenario whose capability is turned off. A selection the suite would
 * leave out entirely is refused when the suite is defined, with conform's message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceSuite } from "../../src/conformance/vitest.js";
import { loadScenarios } from "../../src/conformance/scenario/fixtures.js";
import type { Gateway } from "../../src/server/index.js";
import { FAST, referenceGateway, TOKEN } from "./gateways.js";

let clean: Gateway;
let faulty: Gateway;
beforeAll(async () => {
  clean = await referenceGateway();
  faulty = await referenceGateway("caseSensitiveKeys");
});
afterAll(async () => {
  await Promise.all([clean.close(), faulty.close()]);
});

conformanceSuite({ name: "reference gateway", url: () => clean.url, token: TOKEN, handshakeTimeoutMs: FAST.handshakeTimeoutMs });

conformanceSuite({
  name: "reference gateway with case-sensitive keys",
  url: () => faulty.url,
  token: TOKEN,
  only: ["k1-case-merge", "p1-self-row", "p4-node-role"],
  expectedFailures: ["k1-case-merge"],
  capabilities: { nodeRole: false },
});

describe("conformanceSuite with a selection its mode leaves out entirely", () => {
  // Thrown before the suite registers anything (no gateway is needed): the CLI's message, then the suite's names.
  const define = (options: Omit<Parameters<typeof conformanceSuite>[0], "url">) => () => conformanceSuite({ url: "ws://127.0.0.1:9", ...options });
  const suite = " (conformanceSuite: two or more `urls` are the cluster's --url A --url B; real-time scenarios run only with `gateway-presence conform --real-time`)";

  it("throws at definition with the message conform exits 2 with", () => {
    expect(define({ only: ["x1-connect-on-a-watch-on-b"] })).toThrow(
      new Error(`--only "x1-connect-on-a-watch-on-b" matches only cluster scenarios (x*, across gateways): give two --url (the gateways of one cluster: --url A --url B)${suite}`),
    );
    expect(define({ only: ["s1-ttl-expiry-real-time"], urls: ["ws://127.0.0.1:9", "ws://127.0.0.1:10"] })).toThrow(
      new Error(`--only "s1-ttl-expiry-real-time" matches only real-time scenarios: add --real-time${suite}`),
    );
    // Each entry must run something, as in conform: the cluster scenario beside p1 is refused too.
    expect(define({ only: ["p1-self-row", "x3-same-instanceid-on-a-and-b"] })).toThrow(/^--only "x3-same-instanceid-on-a-and-b" matches only cluster scenarios/);
    expect(define({ scenarios: loadScenarios(["fixtures/conformance/real-time"]) })).toThrow(
      new Error(`the 4 selected scenarios are all left out of this run: real-time scenarios: add --real-time${suite}`),
    );
    const notCluster = loadScenarios().filter(({ scenario }) => !scenario.requires?.includes("cluster")).map(({ scenario }) => scenario.id);
    expect(define({ skip: notCluster })).toThrow(/^the 5 selected scenarios are all left out of this run: cluster scenarios \(x\*, across gateways\): give two --url/);
  });
});
