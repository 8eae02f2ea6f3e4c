// The presence subset of real OpenClaw traffic (fixtures/openclaw-recordings, the redacted copy of
// ../shared/recordings) against our schemas.
// OpenClaw's frames differ from the contract in known ways; the test pins exactly those, so a
// schema that stops catching them, or starts rejecting anything else, fails here.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SchemaName } from "../../src/generated/validate.js";
import { validate } from "../../src/validation/index.js";

const root = new URL("../../fixtures/openclaw-recordings/", import.meta.url);

/** Row fields OpenClaw adds that the contract's closed PresenceEntry does not have. */
const OPENCLAW_ROW_EXTRAS = ["deviceId", "clientId", "user", "onlineSince", "timeZone"];

interface Check {
  file: string;
  schema: SchemaName;
  value: unknown;
}

function presenceChecks(): Check[] {
  const checks: Check[] = [];
  for (const release of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const name of readdirSync(new URL(`${release}/`, root))) {
      const file = `${release}/${name}`;
      for (const line of readFileSync(new URL(file, root), "utf8").split("\n")) {
        if (!line.trim()) continue;
        const frame = (JSON.parse(line) as { frame?: Record<string, any> }).frame;
        if (!frame) continue;
        if (frame.type === "req" && frame.method === "connect") checks.push({ file, schema: "ConnectParams", value: frame.params });
        if (frame.type === "req" && frame.method === "system-event") checks.push({ file, schema: "SystemEventParams", value: frame.params });
        if (frame.type === "res" && frame.ok && Array.isArray(frame.payload)) checks.push({ file, schema: "SystemPresenceResult", value: frame.payload });
        if (frame.type === "res" && frame.ok && frame.payload?.type === "hello-ok") {
          for (const row of frame.payload.snapshot?.presence ?? []) checks.push({ file, schema: "PresenceEntry", value: row });
        }
        // The native binding carries stateVersion on the frame, not in the payload.
        if (frame.type === "event" && frame.event === "presence") {
          checks.push({ file, schema: "PresenceEvent", value: { presence: frame.payload.presence, stateVersion: { presence: frame.stateVersion?.presence } } });
        }
        if (frame.type === "event" && frame.event === "tick") checks.push({ file, schema: "TickEvent", value: frame.payload });
      }
    }
  }
  return checks;
}

function withoutExtras(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtras);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (!OPENCLAW_ROW_EXTRAS.includes(key)) out[key] = withoutExtras(inner);
  return out;
}

describe("recorded OpenClaw frames", () => {
  const checks = presenceChecks();

  it("covers both releases and every kind of presence frame", () => {
    expect(new Set(checks.map((c) => c.file.split("/")[0])).size).toBe(2);
    expect(new Set(checks.map((c) => c.schema))).toEqual(
      new Set(["ConnectParams", "SystemEventParams", "SystemPresenceResult", "PresenceEntry", "PresenceEvent"]),
    );
    expect(checks.length).toBeGreaterThan(200);
  });

  it("rows differ from the contract only by OpenClaw's extra fields, each named by its path", () => {
    const paths = new Set<string>();
    for (const c of checks.filter((c) => c.schema !== "ConnectParams" && c.schema !== "SystemEventParams")) {
      const result = validate(c.schema, c.value);
      if (result.ok) continue;
      for (const issue of result.issues) {
        expect(issue.keyword, `${c.file} ${issue.path}`).toBe("additionalProperties");
        paths.add(issue.path.split("/").pop()!);
      }
      const stripped = validate(c.schema, withoutExtras(c.value));
      expect(stripped.ok ? [] : stripped.issues, c.file).toEqual([]);
    }
    expect([...paths].sort()).toEqual([...OPENCLAW_ROW_EXTRAS].sort());
  });

  it("recorded connect params validate, except 2026.9.6's client.timeZone", () => {
    const failures = checks
      .filter((c) => c.schema === "ConnectParams")
      .flatMap((c) => {
        const r = validate(c.schema, c.value);
        return r.ok ? [] : r.issues.map((i) => `${c.file.split("/")[0]} ${i.path}`);
      });
    expect(failures).toEqual(["openclaw-2026.9.6 /client/timeZone"]);
  });

  it("recorded beacons validate, except the deliberately bad ones, rejected at their path", () => {
    const failures = checks
      .filter((c) => c.schema === "SystemEventParams")
      .flatMap((c) => {
        const r = validate(c.schema, c.value);
        return r.ok ? [] : r.issues.map((i) => `${c.file.split("/")[0]} ${i.path} ${i.keyword}`);
      })
      .sort();
    expect(failures).toEqual([
      "openclaw-2026.1.30 /bogus additionalProperties",
      "openclaw-2026.1.30 /text pattern",
      "openclaw-2026.9.6 /bogus additionalProperties",
      "openclaw-2026.9.6 /deviceId additionalProperties",
      "openclaw-2026.9.6 /lastInputSeconds type",
      "openclaw-2026.9.6 /text pattern",
    ]);
  });
});
