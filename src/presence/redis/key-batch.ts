/**
 * Keys collected during one event-loop turn and handed over together: keep-alives (touch) of many
 * connections arrive in bursts, and one script for the burst costs one Redis round trip, not one each.
 */
export class KeyBatch {
  private pending: { keys: Set<string>; done: Promise<void> } | undefined;

  constructor(private readonly flush: (keys: Set<string>) => Promise<void>) {}

  /** Adds keys to the current batch; resolves when that batch has been flushed. */
  add(keys: Iterable<string>): Promise<void> {
    if (!this.pending) {
      const batch = { keys: new Set<string>(), done: Promise.resolve() };
      batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.pending = undefined;
        return this.flush(batch.keys);
      });
      this.pending = batch;
    }
    for (const key of keys) this.pending.keys.add(key);
    return this.pending.done;
  }

  /** Waits for the batch on its way, if any (errors ignored). */
  async settled(): Promise<void> {
    await this.pending?.done.catch(() => {});
  }
}
