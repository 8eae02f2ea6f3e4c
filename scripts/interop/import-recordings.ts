/**
 * Copies the shared OpenClaw recordings (../shared/recordings/<release>/*.jsonl) into the repository,
 * redacted, so every test runs in a clone that has no ../shared beside it:
 *
 *   npx tsx scripts/interop/import-recordings.ts [--from ../shared/recordings] [--peer ../shared/peers/openclaw-peer]
 *
 * Writes fixtures/openclaw-recordings/<release>/*.jsonl (each line through `redactValue`: tokens,
 * device signatures and the deviceToken/recoveryScope the sources log inside note texts become
 * <REDACTED>, and so do the tokens of OpenClaw's capability URLs; nothing else changes) and fixtures/openclaw-recordings/secret-digests.json: the
 * SHA-256 of every secret the sources carried (and of the peers' token), so the secrets test can
 * prove no committed file holds one without keeping the secrets themselves.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isSecretKey, REDACTED, redactValue } from "../../src/transport/redact.js";

export const RECORDINGS_COPY = fileURLToPath(new URL("../../fixtures/openclaw-recordings/", import.meta.url));
export const DIGESTS_FILE = join(RECORDINGS_COPY, "secret-digests.json");

export interface SecretDigest {
  length: number;
  sha256: string;
}

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** `<release>/<name>.jsonl` of every recording below `root`. */
export function recordingNames(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((release) =>
      readdirSync(join(root, release))
        .filter((name) => name.endsWith(".jsonl"))
        .sort()
        .map((name) => `${release}/${name}`),
    );
}

/** One recording, redacted line by line. */
export function redactedCopy(text: string): string {
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => `${JSON.stringify(redactValue(JSON.parse(line)))}\n`)
    .join("");
}

/** Strings under secret-named keys, secret values logged as JSON inside texts (note lines), capability URL tokens. */
export function secretsIn(value: unknown, key = "", out = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    if (isSecretKey(key) && value !== REDACTED && value.length >= 8) out.add(value);
    for (const m of value.matchAll(/"(?:deviceToken|recoveryScope|token|signature)"\s*:\s*"([^"<]{8,})"/g)) out.add(m[1]!);
    for (const m of value.matchAll(/\/__openclaw__\/cap\/([A-Za-z0-9_-]{8,})/g)) out.add(m[1]!);
  } else if (Array.isArray(value)) value.forEach((v) => secretsIn(v, key, out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) secretsIn(v, k, out);
  return out;
}

/** The test peers' auth token, from the peer script (the recordings redact it). */
export function peerTokenFrom(script: string): string | undefined {
  if (!existsSync(script)) return undefined;
  return /TOKEN=\$\{OPENCLAW_PEER_TOKEN:-([^}]+)\}/.exec(readFileSync(script, "utf8"))?.[1];
}

export function importRecordings(from: string, peerScript: string): { files: string[]; digests: SecretDigest[] } {
  const secrets = new Set<string>();
  const files = recordingNames(from);
  mkdirSync(RECORDINGS_COPY, { recursive: true });
  for (const name of files) {
    const text = readFileSync(join(from, name), "utf8");
    for (const line of text.split("\n").filter((l) => l.trim())) secretsIn(JSON.parse(line), "", secrets);
    mkdirSync(join(RECORDINGS_COPY, name.split("/")[0]!), { recursive: true });
    writeFileSync(join(RECORDINGS_COPY, name), redactedCopy(text));
  }
  const token = peerTokenFrom(peerScript);
  if (token) secrets.add(token);
  const digests = [...secrets].map((s) => ({ length: s.length, sha256: sha256(s) })).sort((a, b) => a.sha256.localeCompare(b.sha256));
  writeFileSync(DIGESTS_FILE, `${JSON.stringify({ about: "SHA-256 of every secret in ../shared/recordings and of the peers' token (scripts/interop/import-recordings.ts)", digests }, null, 2)}\n`);
  return { files, digests };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const from = flag("--from") ?? "../shared/recordings";
  if (!existsSync(from)) {
    console.error(`import-recordings: ${from} not found (give --from DIR)`);
    process.exit(1);
  }
  const { files, digests } = importRecordings(from, flag("--peer") ?? join(from, "../peers/openclaw-peer"));
  console.log(`${files.length} recordings -> ${RECORDINGS_COPY}, ${digests.length} secret digests`);
}
