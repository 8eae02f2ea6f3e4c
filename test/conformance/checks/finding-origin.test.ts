/**
 * A wire-format finding says where it comes from in words that mean it: `in rows planted by X` for a
 * row a scenario planted (shown in every later listing), `seen in Y` otherwise, and its example frame
 * is one the named scenario received (not the shortest frame of the whole run, which may be another
 * scenario's listing of that row). Terminal, JSON and HTML reports, through the real CLI.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../../src/conformance/report/results.js";
import type { Gateway } from "../../../src/server/index.js";
import { cliResult } from "../../support/cli.js";
import { planter, referenceGateway, TOKEN } from "../gateways.js";

const dir = mkdtempSync(join(tmpdir(), "finding-origin-"));

describe("conform: where a wire-format finding comes from", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    // Every row (the self row the probe sees first, and the planted one) carries OpenClaw's extra fields.
    gateway = await referenceGateway("extraRowFields");
    // Its frames carry two rows; the probe's listing only the self row (shorter, and not the planter's).
    writeFileSync(join(dir, "planter.json"), JSON.stringify(planter));
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the planting scenario as such and takes the example frame from it (terminal, JSON, HTML)", async () => {
    const base = ["conform", "--no-color", "--url", gateway.url, "--token", TOKEN, "--handshake-timeout", "1000", "--fixtures", join(dir, "planter.json")];
    const [pretty, html] = await Promise.all([
      cliResult([...base, "--out", join(dir, "report.json"), "--reporter", "json"]),
      cliResult([...base, "--out", join(dir, "report.html"), "--reporter", "html"]),
    ]);
    expect(pretty.code, pretty.stderr).toBe(0);
    expect(html.code, html.stderr).toBe(0);

    const lines = pretty.stdout.split("\n");
    const at = lines.findIndex((l) => l.includes("W2 warn /presence/*/clientId is not allowed (unknown property)"));
    expect(lines[at]).toMatch(/: \d+ frames, in rows planted by planter; seen in probe$/);
    expect(lines[at + 1]).toMatch(/^ {7}e\.g\. planter /);
    expect(lines[at + 1]).toContain('"clientId":"extra-client-id"');

    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as RunResult;
    const clientId = report.wireFindings.find((f) => f.path === "/presence/*/clientId")!;
    expect(clientId.scenarios.sort()).toEqual(["planter", "probe"]);
    expect(clientId.plantedBy).toEqual(["planter"]);
    expect(clientId.evidence.scenario).toBe("planter");

    const page = readFileSync(join(dir, "report.html"), "utf8");
    expect(page).toContain('<th>frames</th><th>from</th><th>evidence</th>');
    expect(page).toContain('in rows planted by <a href="#planter">planter</a>; seen in <a href="#probe">probe</a></td><td><details><summary>received in planter</summary>');
  });
});
