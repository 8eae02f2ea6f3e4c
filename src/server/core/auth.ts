/** Token check (SPEC H5): compared in constant time, over hashes so lengths do not leak either. */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  const ok = timingSafeEqual(digest(expected), digest(given ?? ""));
  return ok && given !== undefined;
}
