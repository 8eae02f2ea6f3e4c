/**
 * The listeners of a store's changes (SPEC E1) and the order they hear them in: queued changes are
 * delivered in order, also when a listener writes to the store meanwhile (its changes follow), and a
 * throwing listener goes to `onListenerError` without stopping the others.
 */
import type { PresenceChange } from "./types.js";

export class ChangeFeed {
  private readonly listeners = new Set<(change: PresenceChange) => void>();
  /** The listeners as an array, made again only when they change (a change is told to those registered when its delivery starts). */
  private current: Array<(change: PresenceChange) => void> | undefined;
  private readonly pending: PresenceChange[] = [];
  private flushing = false;

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** A store's onChange(): adds a listener; returns the function that removes it. */
  subscribe(listener: (change: PresenceChange) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("presence store: onChange needs a function");
    this.listeners.add(listener);
    this.current = undefined;
    return () => {
      this.listeners.delete(listener);
      this.current = undefined;
    };
  }

  /** Queues a change for the next flush(). */
  queue(change: PresenceChange): void {
    this.pending.push(change);
  }

  /** Delivers every queued change in order. */
  flush(): void {
    // Most store operations change nothing (reads, expiry with nothing due): no work, not even the
    // `length = 0` below (a runtime call in V8).
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    try {
      for (let i = 0; i < this.pending.length; i++) {
        for (const listener of (this.current ??= [...this.listeners])) {
          try {
            listener(this.pending[i]!);
          } catch (error) {
            this.onListenerError(error);
          }
        }
      }
    } finally {
      this.pending.length = 0;
      this.flushing = false;
    }
  }
}

/**
 * The listeners of a store's refreshes (PresenceStore.onRefresh: rows' `ts` moved without a change,
 * SPEC P7): each is called, and a throwing one goes to `onListenerError` without stopping the others.
 */
export class RefreshSignal {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Calls every listener. */
  fire(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
