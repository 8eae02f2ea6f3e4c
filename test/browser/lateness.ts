/** How late the page's timers run: a busy machine delays the page's own timers (the change marks') as much. */
import type { Page } from "playwright-core";

/**
 * Starts a chain of 50 ms timers in the page that records how late each fires past its due time
 * (window.lateness, the largest, in ms): the page's mark timers run on the same main thread, so a busy
 * machine delays them as much (a long task that delays one of them delays a probe due within 50 ms as
 * much, less at most the 50 ms).
 */
export async function startLatenessProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { lateness: number; stopProbe: () => void };
    w.lateness = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = () => {
      const due = performance.now() + 50;
      timer = setTimeout(() => {
        w.lateness = Math.max(w.lateness, performance.now() - due);
        next();
      }, 50);
    };
    w.stopProbe = () => clearTimeout(timer);
    next();
  });
}

/** Stops the probe; the most any of its timers fired late, in ms. */
export async function stopLatenessProbe(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as { lateness: number; stopProbe: () => void };
    w.stopProbe();
    return w.lateness;
  });
}
