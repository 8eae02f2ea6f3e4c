// Reads the shared OpenClaw recordings (../shared/recordings/<release>/*.jsonl) for the interop tests.
import { existsSync, readdirSync, readFileSync } from "node:fs";

export const RECORDINGS_ROOT = new URL("../../../shared/recordings/", import.meta.url);
export const PEER_SCRIPT = new URL("../../../shared/peers/openclaw-peer", import.meta.url);
export const haveRecordings = existsSync(RECORDINGS_ROOT);

export interface RecordedLine {
  file: string;
  release: string;
  conn: string;
  dir: "send" | "recv" | "meta" | "note";
  frame?: Record<string, any>;
  [key: string]: unknown;
}

export function recordingFiles(): string[] {
  if (!haveRecordings) return [];
  return readdirSync(RECORDINGS_ROOT).flatMap((release) =>
    readdirSync(new URL(`${release}/`, RECORDINGS_ROOT))
      .filter((name) => name.endsWith(".jsonl"))
      .map((name) => `${release}/${name}`),
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
  if (!existsSync(PEER_SCRIPT)) return undefined;
  return /TOKEN=\$\{OPENCLAW_PEER_TOKEN:-([^}]+)\}/.exec(readFileSync(PEER_SCRIPT, "utf8"))?.[1];
}
