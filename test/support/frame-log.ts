/** Frames a test client received, in order, and waiting for one that matches (the raw test clients share it). */
export class FrameLog<T> {
  /** Every frame received, in order. */
  readonly frames: T[] = [];
  private waiters: Array<() => void> = [];

  add(frame: T): void {
    this.frames.push(frame);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The first frame (already received or still to come) matching `match`; rejects after `timeoutMs`. */
  async waitFor(match: (frame: T) => boolean, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let seen = 0; ; ) {
      for (; seen < this.frames.length; seen++) if (match(this.frames[seen]!)) return this.frames[seen]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
