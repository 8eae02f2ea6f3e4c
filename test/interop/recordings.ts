// The OpenClaw recordings the interop tests read: the redacted copy of ../shared/recordings kept in the
// repository (fixtures/openclaw-recordings/<release>/*.jsonl, made by scripts/interop/import-recordings.ts),
// so they run in any clone. Only the peers' token still comes from ../shared, when it is there.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { peerTokenFrom } from "../../scripts/interop/import-recordings.js";

export const RECORDINGS_ROOT = new URL("../../fixtures/openclaw-recordings/", import.meta.url);
/** The original recordings, beside the repository in the team's checkout; absent in other clones. */
export const SHARED_RECORDINGS = new URL("../../../shared/recordings/", import.meta.url);
export const PEER_SCRIPT = new URL("../../../shared/peers/openclaw-peer", import.meta.url);
export const haveSharedRecordings = existsSync(SHARED_RECORDINGS);
/** Why a test that needs ../shared/<what> is skipped (shown in the test's title). */
export const noShared = (what: "peers" | "recordings"): string => ` (skipped: needs ../shared/${what} beside the repository, as in the team's checkout)`;

export interface RecordedLine {
  file: string;
  release: string;
  conn: string;
  dir: "send" | "recv" | "meta" | "note";
  frame?: Record<string, any>;
  [key: string]: unknown;
}

export function recordingFiles(): string[] {
  return readdirSync(RECORDINGS_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(new URL(`${d.name}/`, RECORDINGS_ROOT))
        .filter((name) => name.endsWith(".jsonl"))
        .map((name) => `${d.name}/${name}`),
    );
}

export function readRecording(file: string): RecordedLine[] {
  const release = file.split("/")[0]!;
  return readFileSync(new URL(file, RECORDINGS_ROOT), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => ({ ...(JSON.parse(line) as RecordedLine), file, release }));
}

export function allRecordedLines(): RecordedLine[] {
  return recordingFiles().flatMap(readRecording);
}

/** The peers' shared auth token (the recordings redact it; the device signatures were made over it). */
export function peerToken(): string | undefined {
  return peerTokenFrom(PEER_SCRIPT.pathname);
}
