// No fixture, recording or report committed to the repository holds a secret: not under a secret-named
// key, not inside text, not a value any source recording ever carried under a secret key (e.g. the
// deviceToken that ../shared/recordings logs inside a "note" line), not the peers' token. Those known
// secrets are checked by their SHA-256 (fixtures/openclaw-recordings/secret-digests.json), so the test
// needs no ../shared and the repository never holds the secrets themselves.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED } from "../../src/transport/redact.js";
import { DIGESTS_FILE, recordingNames, redactedCopy, secretsIn, sha256, type SecretDigest } from "../../scripts/interop/import-recordings.js";
import { allRecordedLines, haveSharedRecordings, noShared, RECORDINGS_ROOT, recordingFiles, SHARED_RECORDINGS } from "./recordings.js";

const ROOTS = ["../../fixtures/recorded/", "./handshakes/"].map((p) => new URL(p, import.meta.url));
const REPORTS = new URL("../../reports/interop/", import.meta.url);
const files = [
  ...ROOTS.flatMap((root) => readdirSync(root).filter((f) => /\.jsonl?$/.test(f)).map((f) => new URL(f, root))),
  ...recordingFiles().map((f) => new URL(f, RECORDINGS_ROOT)),
];
/** The committed interop reports (JSON and HTML), one folder per release. */
const reports = existsSync(REPORTS)
  ? readdirSync(REPORTS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(new URL(`${d.name}/`, REPORTS)).filter((f) => /\.(json|html)$/.test(f)).map((f) => new URL(`${d.name}/${f}`, REPORTS)))
  : [];

const unescapeHtml = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const DIGESTS = (JSON.parse(readFileSync(DIGESTS_FILE, "utf8")) as { digests: SecretDigest[] }).digests;

/**
 * Known secrets (by digest) found in `text`: every stretch of token characters is hashed at each
 * secret length, so a secret is found inside a URL or a longer word too.
 */
function knownSecretsIn(text: string, digests: readonly SecretDigest[] = DIGESTS): string[] {
  const wanted = new Set(digests.map((d) => d.sha256));
  const lengths = [...new Set(digests.map((d) => d.length))];
  const seen = new Set<string>();
  const found: string[] = [];
  for (const [run] of text.matchAll(/[A-Za-z0-9._~+/=-]{6,}/g)) {
    for (const length of lengths) {
      for (let i = 0; i + length <= run.length; i++) {
        const piece = run.slice(i, i + length);
        if (seen.has(piece)) continue;
        seen.add(piece);
        if (wanted.has(sha256(piece))) found.push(`${piece.slice(0, 4)}…`);
      }
    }
  }
  return found;
}

function offences(value: unknown, path = "", key = ""): string[] {
  if (typeof value === "string") {
    const out: string[] = [];
    const signatureKept = key === "signature" && path.includes("/handshakes/"); // kept on purpose: nonce-bound, expired
    if (isSecretKey(key) && value !== REDACTED && value !== "" && !signatureKept) out.push(`${path}: secret-named key holds a value`);
    if (/\/__openclaw__\/cap\/(?!<REDACTED>)/.test(value)) out.push(`${path}: capability URL`);
    if (/"(deviceToken|recoveryScope|token)"\s*:\s*"(?!<REDACTED>)/.test(value)) out.push(`${path}: secret inside text`);
    return out;
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => offences(v, `${path}/${i}`, key));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => offences(v, `${path}/${k}`, k));
  return [];
}

describe("fixtures and recordings hold no secrets", () => {
  it("there are fixtures from the shared recordings and from our own recordings of both peers, and the recordings themselves", () => {
    const names = files.map((f) => f.pathname.split("/").pop()!);
    for (const release of ["2026.1.30", "2026.9.6"]) {
      expect(names.filter((n) => n.startsWith(`openclaw-${release}-`) && n.endsWith(".json")).length).toBeGreaterThanOrEqual(7);
      expect(names.filter((n) => n.startsWith(`openclaw-${release}-sdk-`) && n.endsWith(".jsonl")).length).toBeGreaterThanOrEqual(2);
      expect(recordingFiles().filter((f) => f.startsWith(`openclaw-${release}/`)).length).toBe(5);
    }
    expect(DIGESTS.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [f.pathname.split("/").slice(-2).join("/"), f] as const))("%s", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const values = file.pathname.endsWith(".jsonl") ? text.trim().split("\n").map((l) => JSON.parse(l)) : [JSON.parse(text)];
    expect(values.flatMap((v, i) => offences(v, `${file.pathname}#${i}`))).toEqual([]);
    expect(knownSecretsIn(text), "contains a secret from the source recordings").toEqual([]);
  });

  it.each(reports.map((f) => [f.pathname.split("/").slice(-2).join("/"), f] as const))("report %s", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const plain = file.pathname.endsWith(".html") ? unescapeHtml(text) : text;
    if (file.pathname.endsWith(".json")) expect(offences(JSON.parse(text), file.pathname)).toEqual([]);
    expect(plain).not.toMatch(/"(deviceToken|recoveryScope|token|signature)\\?"\s*:\s*\\?"(?!<REDACTED>)[^"\\]{8,}/);
    expect(plain).not.toMatch(/\/__openclaw__\/cap\/(?!<REDACTED>)/);
    expect(knownSecretsIn(plain), "contains a secret").toEqual([]);
  });

  it("the checks catch a note line with a live deviceToken, and the copied recordings carry that note redacted", () => {
    const live = "ak80kJQzaxfpu3wDb43B-made-up-for-this-test";
    const note = { conn: "-", dir: "note", text: `connect ok=true auth={"role":"operator","deviceToken":"${live}"}` };
    expect(offences(note, "note")).toContain("note/text: secret inside text");
    expect(knownSecretsIn(JSON.stringify(note), [{ length: live.length, sha256: sha256(live) }])).toEqual(["ak80…"]);
    const copied = allRecordedLines().filter((l) => l.dir === "note" && String(l.text).includes('"deviceToken":"'));
    expect(copied.length).toBeGreaterThan(0);
    for (const line of copied) expect(String(line.text)).toContain(`"deviceToken":"${REDACTED}"`);
  });

  it.skipIf(!haveSharedRecordings)(`the copy is what import-recordings makes of ../shared/recordings, and the digests cover its secrets${haveSharedRecordings ? "" : noShared("recordings")}`, () => {
    const source = SHARED_RECORDINGS.pathname;
    expect(recordingNames(source)).toEqual(recordingFiles().sort());
    const digests = new Set(DIGESTS.map((d) => d.sha256));
    for (const name of recordingNames(source)) {
      const text = readFileSync(`${source}${name}`, "utf8");
      expect(readFileSync(new URL(name, RECORDINGS_ROOT), "utf8"), `${name}: run scripts/interop/import-recordings.ts`).toBe(redactedCopy(text));
      const secrets = new Set<string>();
      for (const line of text.split("\n").filter((l) => l.trim())) secretsIn(JSON.parse(line), "", secrets);
      for (const secret of secrets) expect(digests.has(sha256(secret)), `${name}: a secret without digest`).toBe(true);
    }
  });
});
