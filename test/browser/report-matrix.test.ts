// `report compare`'s HTML matrix in a real Chromium at laptop width: the page never scrolls sideways
// (long frames in the evidence wrap; a wide matrix scrolls inside its own box). Made from the interop
// reports kept in the repository (reports/interop: the reference gateway and both OpenClaw releases).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareReports } from "../../src/cli/commands/report.js";
import { CHROMIUM, skipNote, useChromium } from "./harness.js";

const REPORTS = fileURLToPath(new URL("../../reports/interop/", import.meta.url));
const GATEWAYS = ["reference", "2026.9.6", "2026.1.30"].filter((g) => existsSync(join(REPORTS, g, "conformance.json")));

describe.skipIf(!CHROMIUM.path || GATEWAYS.length === 0)(`report compare HTML at 1280 px${skipNote}`, () => {
  const browser = useChromium();

  it("fits the window: no sideways scroll of the page, with many gateways or long evidence", async () => {
    // A column per gateway (its default and real-time runs), and every gateway twice: a matrix wider than the window.
    const column = (g: string, label: string) =>
      `${label}=${["conformance", "real-time"].map((run) => join(REPORTS, g, `${run}.json`)).filter(existsSync).join("+")}`;
    const columns = [...GATEWAYS, ...GATEWAYS].map((g, i) => column(g, `${g}-${i}`));
    const html = compareReports(columns, "html", REPORTS);
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.setContent(html);
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        window: document.documentElement.clientWidth,
        evidence: document.querySelectorAll("section li").length,
      }));
      expect(widths.evidence).toBeGreaterThan(0);
      expect(widths.page).toBeLessThanOrEqual(widths.window);
    } finally {
      await context.close();
    }
  });
});
