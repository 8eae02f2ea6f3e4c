/** Client modes never recorded by default (SPEC P3). */
export const DEFAULT_EPHEMERAL_MODES: readonly string[] = ["cli"];

/**
 * SPEC P3: is a connection with this `client.mode` ephemeral (never recorded, never announced)?
 * Compared trimmed and case-insensitively, so "CLI" is treated like "cli".
 */
export function isEphemeralMode(mode: string | undefined, ephemeralModes: readonly string[] = DEFAULT_EPHEMERAL_MODES): boolean {
  if (typeof mode !== "string") return false;
  const wanted = mode.trim().toLowerCase();
  if (!wanted) return false;
  return ephemeralModes.some((m) => m.trim().toLowerCase() === wanted);
}
