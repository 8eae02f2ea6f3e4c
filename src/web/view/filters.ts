/** The filter form: mode, status, host search. Native controls, so keyboard use comes for free. */
import type { PresenceStatus } from "../../client/status.js";
import { STATUSES, type Filters } from "../rows.js";
import { byId } from "./dom.js";

export class FilterControls {
  readonly #mode = byId<HTMLSelectElement>("filter-mode");
  readonly #status = byId<HTMLSelectElement>("filter-status");
  readonly #host = byId<HTMLInputElement>("filter-host");
  #modes = "";

  constructor(onChange: () => void) {
    for (const status of STATUSES) this.#status.append(new Option(status, status));
    byId<HTMLFormElement>("filters").addEventListener("submit", (event) => event.preventDefault());
    for (const control of [this.#mode, this.#status]) control.addEventListener("change", onChange);
    this.#host.addEventListener("input", onChange);
  }

  get value(): Filters {
    return { mode: this.#mode.value, status: this.#status.value as PresenceStatus | "", host: this.#host.value };
  }

  /** Offers the modes present (and keeps a chosen one that is gone, so the choice is not lost). */
  setModes(modes: readonly string[]): void {
    const chosen = this.#mode.value;
    const all = chosen !== "" && !modes.includes(chosen) ? [...modes, chosen].sort() : [...modes];
    const signature = all.join("\n");
    if (signature === this.#modes) return;
    this.#modes = signature;
    this.#mode.replaceChildren(new Option("All modes", ""), ...all.map((m) => new Option(m, m)));
    this.#mode.value = chosen;
  }
}
