/**
 * `npm run bench:plot`: draws docs/performance/bench.svg from the figures `npm run bench:gateway --
 * --json FILE` wrote, with vega-lite (compiled to vega, rendered to SVG in Node, no browser).
 * Left: time to connect N watchers (gateway, echo, and the gateway before issue 11 when given);
 * right: each gateway/echo ratio against its target.
 *
 *   tsx bench/plot.ts [--figures docs/performance/bench.json] [--before docs/performance/bench-before.json] [--out docs/performance/bench.svg]
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { BenchResults } from "./gateway.js";
import { targets } from "./lib/report.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const figuresFile = option("--figures", "docs/performance/bench.json");
const beforeFile = option("--before", "");
const out = option("--out", "docs/performance/bench.svg");

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as BenchResults;
const results = read(figuresFile);
const before = beforeFile ? read(beforeFile) : undefined;

const curve: Array<{ series: string; connections: number; seconds: number }> = [];
const addCurve = (series: string, points: Array<[number, number]>) => {
  curve.push({ series, connections: 0, seconds: 0 });
  for (const [connections, seconds] of points) curve.push({ series, connections, seconds });
};
addCurve("gateway", results.connect.gateway.curve);
addCurve("echo", results.connect.echo.curve);
if (before) addCurve("gateway before issue 11", before.connect.gateway.curve);

const ratios = targets(results)
  .filter((t) => t.unit === "x echo")
  .map((t) => ({ metric: t.name, ratio: Number(t.value.toFixed(3)), target: t.limit, met: t.met ? "target met" : "target missed" }));

const spec: TopLevelSpec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  title: { text: `gateway-presence vs a plain ws echo, ${results.date.slice(0, 10)}`, subtitle: `${results.machine.cores} x ${results.machine.cpu}, node ${results.machine.node}` },
  config: { font: "sans-serif" },
  // The two charts colour different things (series, target met or not).
  resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
  hconcat: [
    {
      title: `Connecting ${results.connect.gateway.target} watchers (each its own row)`,
      width: 360,
      height: 260,
      data: { values: curve },
      mark: { type: "line", point: false },
      encoding: {
        x: { field: "connections", type: "quantitative", title: "connections open" },
        y: { field: "seconds", type: "quantitative", title: "seconds since the first connect" },
        color: { field: "series", type: "nominal", title: null, legend: { orient: "top-left", labelLimit: 250 } },
      },
    },
    {
      title: "Gateway / echo in the same run (tick: target)",
      width: 300,
      height: 260,
      data: { values: ratios },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            y: { field: "metric", type: "nominal", title: null, sort: null, axis: { labelLimit: 220 } },
            x: { field: "ratio", type: "quantitative", title: "ratio to echo", scale: { domain: [0, 3] } },
            color: { field: "met", type: "nominal", title: null, scale: { domain: ["target met", "target missed"], range: ["#4c956c", "#d1495b"] }, legend: { orient: "bottom" } },
          },
        },
        {
          mark: { type: "tick", color: "black", thickness: 2, size: 18 },
          encoding: { y: { field: "metric", type: "nominal", sort: null }, x: { field: "target", type: "quantitative" } },
        },
      ],
    },
  ],
};

const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
writeFileSync(out, await view.toSVG());
view.finalize();
console.log(`plot written to ${out}`);
