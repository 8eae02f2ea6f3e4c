// Signed handshakes recorded through `gateway-presence record --keep-signatures` against the real
// OpenClaw peers (scripts/interop/record-handshakes.ts); tokens are redacted, signatures kept.
import { readdirSync, readFileSync } from "node:fs";
import { parseRecording } from "../../src/record/recording.js";
import type { DeviceAuthVersion } from "../../src/transport/device-identity.js";

const DIR = new URL("./handshakes/", import.meta.url);

export interface RecordedHandshake {
  file: string;
  release: string;
  version: DeviceAuthVersion;
  challenge: Record<string, any>;
  connect: Record<string, any>;
  answer: Record<string, any>;
}

export function readHandshakes(): RecordedHandshake[] {
  return readdirSync(DIR)
    .filter((name) => name.endsWith(".jsonl"))
    .map((file) => {
      const [release, version] = file.split("-") as [string, DeviceAuthVersion];
      const frames = parseRecording(readFileSync(new URL(file, DIR), "utf8")).map((l) => l.frame as Record<string, any> | undefined);
      const challenge = frames.find((f) => f?.event === "connect.challenge");
      const connect = frames.find((f) => f?.type === "req" && f.method === "connect");
      const answer = frames.find((f) => f?.type === "res" && f.id === connect?.id);
      if (!challenge || !connect || !answer) throw new Error(`${file}: needs a challenge, a connect and its answer`);
      return { file, release, version, challenge, connect, answer };
    });
}
