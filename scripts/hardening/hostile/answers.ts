/**
 * Bad input, answered in proportion (docs/security.md): hostile frames whose every item is wrong,
 * sent over real sockets to a gateway child with both bindings; each answer's size against its
 * frame's and the bound the property test asserts (2 × frame + 16 KB). Beside it, in this process,
 * how long the validator takes on the 200,000 numbers capped at 50 problems and listing every one
 * (`allErrors`, as every answer did before the cap), and how large that full list is as JSON.
 */
import { performance } from "node:perf_hooks";
import type { BindingName } from "../../../src/transport/binding.js";
import { validate } from "../../../src/validation/index.js";
import { startGatewayProcess } from "../gateway-process.js";
import { BINDINGS, requestFrame, Wire } from "../wire.js";

export interface AnswerFigure {
  binding: BindingName;
  what: string;
  frameBytes: number;
  answerBytes: number;
  /** 2 × frameBytes + 16 KB: what test/server/hardening/answer-size.test.ts asserts. */
  bound: number;
  ms: number;
}

export interface ValidationFigure {
  items: number;
  /** Median of 5 runs, ms. */
  cappedMs: number;
  allErrorsMs: number;
  /** Problems listed, and the full list as JSON (bytes), with allErrors. */
  allIssues: number;
  allIssuesBytes: number;
}

export interface AnswerFigures {
  answers: AnswerFigure[];
  validation: ValidationFigure;
}

/** Keys `x0`, `x1`, ... (base 36) with value 0: n unknown properties. */
const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x${i.toString(36)}`, 0]));

const CONNECT = { jsonrpc: { minProtocol: 1, maxProtocol: 1 }, openclaw: { minProtocol: 3, maxProtocol: 4 } };

interface Case {
  what: string;
  /** Send before `connect` (on a socket that has not connected). */
  unconnected?: boolean;
  only?: BindingName;
  frame: (w: Wire) => string;
}

const CASES: Case[] = [
  { what: "a beacon whose roles hold 200,000 numbers", frame: (w) => w.request("system-event", { roles: Array(200_000).fill(0) }) },
  { what: "system-presence with 45,000 unknown params", frame: (w) => w.request("system-presence", manyKeys(45_000)) },
  {
    what: "a connect with 200,000 wrong scopes, before connect",
    unconnected: true,
    frame: (w) => w.request("connect", { ...CONNECT[w.binding], client: { id: "x", version: "1", platform: "p", mode: "backend" }, scopes: Array(200_000).fill(0) }),
  },
  {
    what: "a batch of 100 long ids repeated in pairs",
    only: "jsonrpc",
    // ids of 860 control characters (6 bytes each as JSON): ~510 KB.
    frame: () => JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: `${"\u0001".repeat(857)}${String(Math.floor(i / 2)).padStart(3, "0")}`, method: "system-presence" }))),
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeValidation(items: number): ValidationFigure {
  const params = { roles: Array(items).fill(0) };
  const time = (allErrors: boolean) =>
    median(
      Array.from({ length: 5 }, () => {
        const t0 = performance.now();
        validate("SystemEventParams", params, { allErrors });
        return performance.now() - t0;
      }),
    );
  const all = validate("SystemEventParams", params, { allErrors: true });
  const issues = all.ok ? [] : all.issues;
  return { items, cappedMs: time(false), allErrorsMs: time(true), allIssues: issues.length, allIssuesBytes: Buffer.byteLength(JSON.stringify(issues)) };
}

export async function answerSizes(): Promise<AnswerFigures> {
  const gw = await startGatewayProcess({
    listeners: BINDINGS.map((binding) => ({ binding, host: "127.0.0.1", port: 0 })),
    // Beacons past the burst would be refused before their params are looked at.
    rateLimit: { burst: 100_000, perSecond: 100_000 },
  });
  const wires: Wire[] = [];
  try {
    const answers: AnswerFigure[] = [];
    for (const binding of BINDINGS) {
      for (const c of CASES.filter((c) => c.only === undefined || c.only === binding)) {
        const wire = c.unconnected ? await Wire.open(gw, binding) : await Wire.connected(gw, binding);
        wires.push(wire);
        const text = c.frame(wire);
        const t0 = performance.now();
        const answer = await wire.answerTo(text, 30_000);
        const frameBytes = Buffer.byteLength(text);
        answers.push({ binding, what: c.what, frameBytes, answerBytes: Buffer.byteLength(answer), bound: 2 * frameBytes + 16 * 1024, ms: performance.now() - t0 });
        // The connection is still served.
        if (!c.unconnected && !/"host"/.test(await wire.answerTo(wire.request("system-presence")))) throw new Error(`${binding}: no listing after ${c.what}`);
      }
    }
    return { answers, validation: timeValidation(200_000) };
  } finally {
    for (const w of wires) w.terminate();
    await gw.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function printAnswers(f: AnswerFigures): void {
  console.log("bad input, answered in proportion (gateway child, both bindings, default limits but the beacon rate):");
  for (const a of f.answers) {
    const x = (a.answerBytes / a.frameBytes).toFixed(3);
    console.log(`  ${a.binding}: ${a.what}: frame ${kb(a.frameBytes)}, answer ${kb(a.answerBytes)} (${x} x the frame; bound 2 x frame + 16 KB = ${kb(a.bound)}), answered in ${a.ms.toFixed(0)} ms`);
  }
  const v = f.validation;
  console.log(`  validating ${v.items.toLocaleString("en")} numbers as roles (this process, median of 5): ${v.cappedMs.toFixed(1)} ms listing at most 50 problems;`);
  console.log(`    ${v.allErrorsMs.toFixed(1)} ms listing every one (allErrors, as before the cap): ${v.allIssues.toLocaleString("en")} problems, ${(v.allIssuesBytes / 1024 / 1024).toFixed(1)} MB as JSON`);
}

/** Answers over the bound (empty = pass). */
export function answerFailures(f: AnswerFigures): string[] {
  return f.answers.filter((a) => a.answerBytes > a.bound).map((a) => `${a.binding}: ${a.what}: answer ${a.answerBytes} bytes over the bound ${a.bound}`);
}
