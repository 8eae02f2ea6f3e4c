/**
 * The Vitest helper as a gateway implementer uses it: one test per scenario, inside this test run.
 * The faulty gateway's suite marks its known failure `fails` (the test passes only because the
 * scenario fails) and skips a scenario whose capability is turned off. In a mixed selection the
 * scenarios the suite's mode leaves out (real-time, cross-gateway) are skipped tests saying why; a
 * selection the suite would leave out entirely is refused when the suite is defined, with conform's
 * message. The same gateway named twice in `urls` is one gateway, as runConformance counts it.
 */
import type { File, Suite, Test } from "@vitest/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conformanceSuite } from "../../src/conformance/vitest.js";
import { gatewayUrls, runConformance } from "../../src/conformance/run/runner.js";
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

const suite = " (conformanceSuite: two or more `urls` are the cluster's --url A --url B; real-time scenarios run only with `gateway-presence conform --real-time`)";
const byId = (ids: string[]) => loadScenarios().filter(({ scenario }) => ids.includes(scenario.id));

// A mixed selection: p1 runs, the cluster and real-time scenarios are skipped tests (checked below, once the file ran).
conformanceSuite({ name: "mixed selection", url: () => clean.url, token: TOKEN, scenarios: byId(["p1-self-row", "x1-connect-on-a-watch-on-b", "s1-ttl-expiry-real-time"]) });
// One gateway written twice is not a cluster: p1 runs against it, x1 is skipped as above. `urls` are
// read when the suite is defined, so this gateway starts as the file loads.
const once = await referenceGateway();
afterAll(() => once.close());
conformanceSuite({ name: "one gateway written twice", url: once.url, urls: [once.url, `${once.url}/`], token: TOKEN, scenarios: byId(["p1-self-row", "x1-connect-on-a-watch-on-b"]) });

afterAll(({}, file) => {
  const tests = (task: File | Suite): Test[] => task.tasks.flatMap((t) => (t.type === "test" ? [t] : t.type === "suite" ? tests(t) : []));
  const outcome = (suiteName: string, id: string) => {
    const test = tests(file).find((t) => t.suite?.name === suiteName && t.name.startsWith(`${id} [`));
    // context.skip(note) keeps the note on the result (what reporters print beside the skip); TaskResult does not declare it.
    return test && { state: test.result?.state, note: (test.result as { note?: string } | undefined)?.note };
  };
  expect(outcome("mixed selection", "p1-self-row")).toEqual({ state: "pass", note: undefined });
  expect(outcome("mixed selection", "x1-connect-on-a-watch-on-b")).toEqual({
    state: "skip",
    note: "left out: a cluster scenario (x*, across gateways); give conformanceSuite two or more `urls`, the gateways of one cluster",
  });
  expect(outcome("mixed selection", "s1-ttl-expiry-real-time")).toEqual({
    state: "skip",
    note: "left out: a real-time scenario (it waits minutes); conformanceSuite never runs these: run `gateway-presence conform --real-time`",
  });
  expect(outcome("one gateway written twice", "p1-self-row")).toEqual({ state: "pass", note: undefined });
  expect(outcome("one gateway written twice", "x1-connect-on-a-watch-on-b")).toMatchObject({ state: "skip", note: expect.stringMatching(/^left out: a cluster scenario/) });
  // The capability the faulty suite turned off: skipped at run time, with the capability's reason.
  expect(outcome("reference gateway with case-sensitive keys", "p4-node-role")).toMatchObject({ state: "skip", note: expect.stringMatching(/nodeRole/) });
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

describe("the gateways of a run, each counted once (gatewayUrls, shared by runConformance and conformanceSuite)", () => {
  it("drops a gateway named again, however written, keeping the first spelling", () => {
    expect(gatewayUrls("ws://127.0.0.1:9", ["ws://127.0.0.1:9/", "WS://127.0.0.1:9", "ws://127.0.0.1:10"])).toEqual(["ws://127.0.0.1:9", "ws://127.0.0.1:10"]);
    expect(gatewayUrls("ws://localhost:80/", ["ws://LOCALHOST"])).toEqual(["ws://localhost:80/"]);
    expect(gatewayUrls(undefined, ["ws://[::1]:9", "ws://[::1]:9/"])).toEqual(["ws://[::1]:9"]);
    expect(gatewayUrls("ws://127.0.0.1:9/a", ["ws://127.0.0.1:9/b"])).toEqual(["ws://127.0.0.1:9/a", "ws://127.0.0.1:9/b"]);
  });

  it("the same gateway twice is no cluster: an x* selection is refused by both, with the same message", async () => {
    const one = { url: "ws://127.0.0.1:9", urls: ["ws://127.0.0.1:9", "ws://127.0.0.1:9/"], only: ["x1-connect-on-a-watch-on-b"] };
    const message = `--only "x1-connect-on-a-watch-on-b" matches only cluster scenarios (x*, across gateways): give two --url (the gateways of one cluster: --url A --url B)`;
    await expect(runConformance(one)).rejects.toThrow(new Error(message));
    expect(() => conformanceSuite(one)).toThrow(new Error(`${message}${suite}`));
  });
});
