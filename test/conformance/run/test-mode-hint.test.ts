// conform against a gateway without a test clock (SPEC S3: test.clock.advance is offered only in test
// mode): the capability line says how to get the skipped scenarios run, once per run, not per
// scenario; JSON's missingCapabilities.testClock carries the same reason (its shape unchanged).
// The real CLI against a real reference gateway on loopback.
import { describe, expect, it } from "vitest";
import { cliResult } from "../../support/cli.js";
import { referenceGateway } from "../gateways.js";

const REASON = "test.clock.advance answers METHOD_NOT_FOUND (a gateway started in test mode offers it, SPEC S3: the reference gateway's `serve --test-clock`)";

describe("conform: a gateway without a test clock", () => {
  it("says once how to get the test-clock scenarios run; each skipped scenario just names what it needs", async () => {
    const gateway = await referenceGateway(undefined, { testClock: false, token: null });
    const args = ["conform", "--url", gateway.url, "--only", "s1-ttl-expiry,s3-clock-advance,p1-self-row", "--no-color"];
    const [pretty, json] = await Promise.all([cliResult(args), cliResult([...args, "--reporter", "json"])]).finally(() => gateway.close());
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toContain(`\n  without testClock: ${REASON}\n`);
    expect(pretty.stdout.split("serve --test-clock").length - 1).toBe(1);
    expect(pretty.stdout).toMatch(/^\[\d\/3\] - s1-ttl-expiry \(needs testClock\)$/m);
    expect(pretty.stdout).toMatch(/^\[\d\/3\] - s3-clock-advance \(needs testClock\)$/m);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { missingCapabilities: Record<string, string> }).missingCapabilities.testClock).toBe(REASON);
  });
});
