/**
 * The wire-format check (SPEC §11) counts every kind of problem in every frame: the validators'
 * cap on listed errors (MAX_LISTED_ERRORS, there so the gateway's answers stay in proportion) must
 * not hide a kind that only shows up past it, nor become a finding of its own.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { buildMatrix } from "../../../src/conformance/report/compare.js";
import { matrixHtml, matrixMarkdown } from "../../../src/conformance/report/compare-format.js";
import { formatReport, formatSummary } from "../../../src/conformance/report/formats.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { MAX_TEXT_CHARS } from "../../../src/conformance/run/wire.js";
import { MAX_LISTED_ERRORS, validate } from "../../../src/validation/index.js";
import { fakeHelloOk, FAST } from "../gateways.js";

/** A JSON-RPC gateway whose list has `rows` rows with a field the contract lacks, the last also a negative lastInputSeconds. */
async function manyProblemsGateway(rows: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const list = () =>
    Array.from({ length: rows }, (_, i) => ({
      host: `row-${i}`,
      instanceId: `row-${i}`,
      ts: Date.now() - i,
      unlisted: true,
      ...(i === rows - 1 ? { lastInputSeconds: -1 } : {}),
    }));
  server.on("connection", (ws: WebSocket) => {
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: number | string; method: string };
      const answer = (body: object) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, ...body }));
      if (req.method === "connect") answer({ result: fakeHelloOk(list()) });
      else if (req.method === "system-presence") answer({ result: list() });
      else answer({ error: { code: -32601, message: "no such method", data: { code: "METHOD_NOT_FOUND" } } });
    });
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("wire-format findings past the validators' cap on listed errors", () => {
  it("validate() lists every problem with allErrors, and the gateway's default stays capped", () => {
    const value = { roles: Array(MAX_LISTED_ERRORS * 3).fill(0) };
    const all = validate("SystemEventParams", value, { allErrors: true });
    const capped = validate("SystemEventParams", value);
    expect(all.ok || all.issues.filter((i) => i.keyword === "type")).toHaveLength(MAX_LISTED_ERRORS * 3);
    expect(all.ok || all.issues.some((i) => i.keyword === "maxErrors")).toBe(false);
    expect(capped.ok || capped.issues).toHaveLength(MAX_LISTED_ERRORS + 1);
  });

  it("a problem only the 61st row has is found, and 'more problems' is no finding", async () => {
    const gateway = await manyProblemsGateway(MAX_LISTED_ERRORS + 11);
    close = gateway.close;
    const result = await runConformance({ url: gateway.url, only: ["p1-self-row"], handshakeTimeoutMs: FAST.handshakeTimeoutMs });
    const kinds = result.wireFindings.map((f) => `${f.rule} ${f.path} ${f.keyword}`);
    expect(kinds).toEqual(expect.arrayContaining(["W1 /presence/*/lastInputSeconds minimum", "W2 /presence/*/unlisted additionalProperties"]));
    expect(result.wireFindings.filter((f) => f.keyword === "maxErrors")).toEqual([]);
  });

  it("the example frame shows the wrong field, though it lies past the cut of a long frame", async () => {
    const gateway = await manyProblemsGateway(MAX_LISTED_ERRORS + 11);
    close = gateway.close;
    const result = await runConformance({ url: gateway.url, only: ["p1-self-row"], handshakeTimeoutMs: FAST.handshakeTimeoutMs });
    const finding = result.wireFindings.find((f) => f.path === "/presence/*/lastInputSeconds")!;
    // The listing is over twice as long as a report keeps; the last row (the wrong one) lies past that.
    expect(finding.evidence.bytes).toBeGreaterThan(2 * MAX_TEXT_CHARS);
    const bad = `"lastInputSeconds":-1`;
    expect(finding.evidence.text).toContain(bad);
    // A window around it, marked as one, no longer than the cut it replaces.
    expect(finding.evidence.text).toMatch(/^….*…?$/s);
    expect(finding.evidence.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    // Every report shows it: the terminal's e.g. line (cut at 300 characters) and the HTML report.
    const eg = formatSummary(result).split("\n").find((line) => line.includes("e.g.") && line.includes("-1"));
    expect(eg).toContain(bad);
    expect(formatReport(result, "html")).toContain("&quot;lastInputSeconds&quot;:-1");
    // A finding whose wrong field is in the frame's start keeps the start (the first row has the extra field).
    const extra = result.wireFindings.find((f) => f.path === "/presence/*/unlisted")!;
    expect(extra.evidence.text.startsWith("{")).toBe(true);
  });

  it("a frame kept whole, its wrong field past what the terminal and report compare show of it: they show a window around it", async () => {
    const gateway = await manyProblemsGateway(15);
    close = gateway.close;
    const result = await runConformance({ url: gateway.url, only: ["p1-self-row"], handshakeTimeoutMs: FAST.handshakeTimeoutMs });
    const finding = result.wireFindings.find((f) => f.path === "/presence/*/lastInputSeconds")!;
    const bad = `"lastInputSeconds":-1`;
    // Whole in the JSON and HTML reports (under 2000 characters), the wrong field past the 300th.
    expect(finding.evidence.bytes).toBeUndefined();
    expect(finding.evidence.text.indexOf(bad)).toBeGreaterThan(400);
    expect(finding.evidence.at).toMatch(/lastInputSeconds$/);
    const eg = formatSummary(result).split("\n").find((line) => line.includes("e.g.") && line.includes("lastInputSeconds"));
    expect(eg).toContain(bad);
    const matrix = buildMatrix([{ reports: [{ source: "run.json", report: result }] }]);
    expect(matrixMarkdown(matrix)).toContain(bad);
    expect(matrixHtml(matrix)).toContain("&quot;lastInputSeconds&quot;:-1");
  });
});
