/**
 * The connection banner: shown while connecting, while reconnecting after a lost connection, when
 * the gateway cannot be reached or a connect (never opened) failed (with the wait before the next
 * attempt, counting down), and when it refused the connection for good (with a Retry button).
 * Hidden while the connection is open.
 */
import type { StateChange } from "../../client/types.js";
import { byId, setText } from "./dom.js";

export type BannerKind = "connecting" | "reconnecting" | "unreachable" | "error";

export class ConnectionBanner {
  readonly #root = byId("banner");
  readonly #text = byId("banner-text");
  readonly #retry = byId<HTMLButtonElement>("banner-retry");
  #headline = "";
  #retryAt: number | undefined;
  #attempt = 0;
  /** The client's state before this change: a connection is "lost" only when it was open. */
  #state: StateChange["state"] | undefined;

  constructor(private readonly url: string, onRetry: () => void) {
    this.#retry.addEventListener("click", onRetry);
  }

  /** Follows the client's state changes. */
  update(change: StateChange): void {
    const previous = this.#state;
    this.#state = change.state;
    this.#retryAt = undefined;
    switch (change.state) {
      case "open":
      case "idle":
        return this.hide();
      case "connecting":
        if (this.#headline === "") return this.#show("connecting", `Connecting to ${this.url}…`);
        return this.#show(this.kind ?? "reconnecting", `${this.#headline} Trying again now (attempt ${(change.attempt ?? 0) + 1}).`);
      case "reconnecting": {
        const reason = change.reason ?? "closed";
        const noSocket = /cannot open|not open within/.test(reason);
        // "Lost" only for a connection that was open: a first connect (or a retry) that never got
        // through the handshake did not lose anything.
        const lost = !noSocket && previous === "open";
        // A browser is not told why an upgrade failed: a gateway that is down and one that refuses
        // this page's Origin (403) look the same from here.
        this.#headline = noSocket
          ? `Cannot reach the gateway at ${this.url} (it is down, or refusing this page's origin).`
          : lost
            ? `Lost the connection to the gateway at ${this.url} (${reason}).`
            : `Cannot connect to the gateway at ${this.url} (${reason}).`;
        this.#attempt = change.attempt ?? 1;
        this.#retryAt = Date.now() + (change.delayMs ?? 0);
        return this.#show(lost ? "reconnecting" : "unreachable", this.#countdown());
      }
      case "closed":
        if (change.error === undefined) return this.hide();
        return this.showError(`The gateway refused the connection: ${change.error.message}`);
    }
  }

  /** A failure that retrying will not mend (shown with a Retry button). */
  showError(text: string): void {
    this.#show("error", text, true);
  }

  hide(): void {
    this.#headline = "";
    this.#root.hidden = true;
    delete this.#root.dataset.kind;
  }

  get kind(): BannerKind | undefined {
    return this.#root.hidden ? undefined : (this.#root.dataset.kind as BannerKind);
  }

  /** Called every second: the countdown to the next attempt. */
  tick(): void {
    if (this.#retryAt !== undefined && !this.#root.hidden) setText(this.#text, this.#countdown());
  }

  #countdown(): string {
    const seconds = Math.max(0, Math.ceil(((this.#retryAt ?? 0) - Date.now()) / 1000));
    return `${this.#headline} Reconnecting in ${seconds} s (attempt ${this.#attempt}).`;
  }

  #show(kind: BannerKind, text: string, retry = false): void {
    this.#root.dataset.kind = kind;
    setText(this.#text, text);
    this.#retry.hidden = !retry;
    this.#root.hidden = false;
  }
}
