/**
 * The compare matrix as Markdown (for a README) and as one self-contained HTML page: a cell per rule
 * and gateway, linked to its evidence (the failing checks with one frame each, below the table, and
 * the full report of that gateway when its HTML page is known).
 */
import type { CellEvidence, CellStatus, Matrix, MatrixCell } from "./compare.js";
import { escapeHtml as e } from "./html.js";
import { frameTextShowing } from "./evidence-window.js";

export interface MatrixLinks {
  /** The HTML report of a column's `index`-th report, relative to where the matrix is written. */
  reportHtml?(column: number, report: number): string | undefined;
}

const WORD: Record<CellStatus, string> = { passed: "pass", failed: "FAIL", warning: "warn", skipped: "skip", absent: "—" };
const anchor = (column: number, rule: string) => `ev-${column + 1}-${rule}`;
const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

function counts(cell: MatrixCell): string {
  const parts = [cell.passed && `${cell.passed} passed`, cell.failed && `${cell.failed} failed`, cell.warnings && `${cell.warnings} warnings`, cell.skipped && `${cell.skipped} skipped`].filter(Boolean);
  return parts.join(", ");
}

function evidenceLink(links: MatrixLinks, column: number, ev: CellEvidence): string | undefined {
  const page = links.reportHtml?.(column, ev.report);
  return page ? `${page}#${ev.anchor}` : undefined;
}

const md = (text: string) => text.replace(/\|/g, "\\|").replace(/`/g, "'");

export function matrixMarkdown(matrix: Matrix, links: MatrixLinks = {}): string {
  const lines: string[] = [];
  lines.push(`| rule | level | ${matrix.columns.map((c) => md(c.label)).join(" | ")} |`);
  lines.push(`| --- | --- | ${matrix.columns.map(() => ":---:").join(" | ")} |`);
  for (const row of matrix.rows) {
    const cells = row.cells.map((cell, i) => (cell.evidence.length && cell.status !== "passed" ? `[${WORD[cell.status]}](#${anchor(i, row.id)})` : WORD[cell.status]));
    lines.push(`| ${row.id} ${md(row.name)} | ${row.level} | ${cells.join(" | ")} |`);
  }
  lines.push("", "Cells: `pass` every scenario citing the rule passed, `FAIL` a MUST (or, when strict, SHOULD) check failed, or a scenario citing it had only SHOULD warnings and no passed check, `warn` a SHOULD check failed, `skip` every scenario citing it was skipped, `—` nothing checked it (no scenario cites it, or only scenarios of an opt-in extension the gateway does not offer). W1/W2 count wire-format finding kinds (SPEC §11).");
  lines.push("", "Columns (reports merged per gateway):", "");
  matrix.columns.forEach((c) => lines.push(`- **${md(c.label)}**: ${c.sources.map((s) => `\`${s}\``).join(", ")}`));
  lines.push("", "## Evidence", "");
  for (const row of matrix.rows) {
    row.cells.forEach((cell, i) => {
      if (cell.status === "passed" || cell.status === "absent" || cell.evidence.length === 0) return;
      lines.push(`<a id="${anchor(i, row.id)}"></a>**${row.id} · ${md(matrix.columns[i]!.label)}: ${WORD[cell.status]}** (${counts(cell)})`, "");
      for (const ev of cell.evidence) {
        const link = evidenceLink(links, i, ev);
        const where = link ? `[\`${ev.scenario}\` ${ev.check}](${link})` : `\`${ev.scenario}\` ${ev.check}`;
        lines.push(`- ${where}: ${md(oneLine(ev.message, 300))}`);
        if (ev.frame) lines.push(`  - ${ev.frame.actor} ${ev.frame.dir === "send" ? "→" : "←"} \`${md(oneLine(frameTextShowing(ev.frame, 400), 400))}\``);
      }
      lines.push("");
    });
  }
  return `${lines.join("\n")}\n`;
}

// No sideways scroll of the page on a laptop-width window: long unbroken text (a frame, an instanceId)
// wraps anywhere, and a matrix of many gateways scrolls inside its own box.
const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;overflow-wrap:anywhere}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}
.scroll{overflow-x:auto;max-width:100%}th{overflow-wrap:normal}
td.c{text-align:center;font-weight:600}.passed{background:#dafbe1}.failed{background:#ffebe9}.warning{background:#fff8c5}.skipped{background:#f6f8fa;color:#6e7781}.absent{color:#999}
a{color:inherit}pre{white-space:pre-wrap;word-break:break-all;font-size:12px;margin:.2em 0 .6em}section{margin:1em 0}
`;

export function matrixHtml(matrix: Matrix, links: MatrixLinks = {}): string {
  const head = `<tr><th>rule</th><th>level</th>${matrix.columns.map((c) => `<th title="${e(c.sources.join(", "))}">${e(c.label)}</th>`).join("")}</tr>`;
  const rows = matrix.rows.map((row) => {
    const cells = row.cells.map((cell, i) => {
      const word = e(WORD[cell.status]);
      const body = cell.evidence.length && cell.status !== "passed" ? `<a href="#${anchor(i, row.id)}">${word}</a>` : word;
      return `<td class="c ${cell.status}" title="${e(counts(cell))}">${body}</td>`;
    });
    return `<tr><td>${e(row.id)} ${e(row.name)}</td><td>${e(row.level)}</td>${cells.join("")}</tr>`;
  });
  const sections: string[] = [];
  for (const row of matrix.rows) {
    row.cells.forEach((cell, i) => {
      if (cell.status === "passed" || cell.status === "absent" || cell.evidence.length === 0) return;
      const items = cell.evidence.map((ev) => {
        const link = evidenceLink(links, i, ev);
        const where = link ? `<a href="${e(link)}">${e(ev.scenario)} ${e(ev.check)}</a>` : `${e(ev.scenario)} ${e(ev.check)}`;
        return `<li>${where}: ${e(oneLine(ev.message, 600))}${ev.frame ? `<pre>${e(ev.frame.actor)} ${ev.frame.dir === "send" ? "→" : "←"} ${e(oneLine(frameTextShowing(ev.frame, 1200), 1200))}</pre>` : ""}</li>`;
      });
      sections.push(`<section id="${anchor(i, row.id)}"><h3 class="${cell.status}">${e(row.id)} · ${e(matrix.columns[i]!.label)}: ${e(WORD[cell.status])} <small>(${e(counts(cell))})</small></h3><ul>${items.join("")}</ul></section>`);
    });
  }
  const sources = matrix.columns.map((c) => `<li><b>${e(c.label)}</b> (${e(c.url)}): ${c.sources.map((s) => e(s)).join(", ")}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance matrix</title><style>${STYLE}</style></head>
<body>
<h1>Gateway presence conformance: ${matrix.columns.length} gateways × ${matrix.rows.length} rules</h1>
<div class="scroll" role="region" aria-label="matrix" tabindex="0"><table>${head}${rows.join("")}</table></div>
<p>pass: every scenario citing the rule passed · FAIL: a MUST check failed, or a scenario citing it passed no check · warn: a SHOULD check failed · skip: every scenario citing it was skipped · —: nothing checked it (not cited, or an opt-in extension not offered). W1/W2 count wire-format finding kinds (SPEC §11).</p>
<h2>Reports</h2><ul>${sources}</ul>
<h2>Evidence</h2>
${sections.join("\n")}
</body></html>
`;
}
