/**
 * The Vitest helper as a gateway implementer uses it: one test per scenario, inside this test run.
 * The faulty gateway's suite marks its known failure `fails` (the test passes only because the
 * scenario fails) and skips a scenario whose capability is turned off.
 */
import { afterAll, beforeAll } from "vitest";
import { conformanceSuite } from "../../src/conformance/vitest.js";
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
