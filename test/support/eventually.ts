import { scaled } from "./timing.js";

/**
 * Waits until `check` passes (retrying every 20 ms), or rethrows its last error after `timeoutMs`
 * (default 5 s on a quiet machine, grown with its load: see `scaled`).
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = scaled(5_000)): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
