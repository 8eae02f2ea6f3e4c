/**
 * A real-time run (`--real-time`): the scenarios that wait on the wall clock (the TTL scenarios
 * without a test clock, slow ticks, the handshake timeout) run concurrently, so the whole run takes
 * about the TTL plus a minute, and while any of them waits a `waiting` progress event says how long.
 */
import type { ProgressEvent, ScenarioResult } from "../report/results.js";
import type { Capability, Scenario } from "../scenario/scenario.js";
import type { LoadedScenario } from "../scenario/fixtures.js";

/** What puts a scenario into a real-time run: it needs the wall clock or a long wait. */
export const REAL_TIME_CAPABILITIES: readonly Capability[] = ["realTime", "slow", "tick", "handshakeTimeout"];

export function belongsToRealTimeRun(scenario: Scenario): boolean {
  return (scenario.requires ?? []).some((c) => REAL_TIME_CAPABILITIES.includes(c));
}

/** How often a `waiting` event is sent while scenarios wait (ms). */
export const WAIT_PROGRESS_MS = 30_000;

/** Tracks the `wait` steps under way and reports them every `intervalMs` until stopped. */
export class WaitProgress {
  readonly #until = new Map<string, number>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    emit: (event: ProgressEvent) => void,
    intervalMs = WAIT_PROGRESS_MS,
  ) {
    this.#timer = setInterval(() => {
      const now = Date.now();
      for (const [id, until] of this.#until) if (until <= now) this.#until.delete(id);
      if (this.#until.size) emit({ type: "waiting", waits: [...this.#until].map(([id, until]) => ({ id, leftMs: until - now })).sort((a, b) => b.leftMs - a.leftMs) });
    }, intervalMs);
    this.#timer.unref?.();
  }

  /** A `wait` step of `scenario` started; it ends at `untilMs` (wall clock). */
  waiting = (scenario: string, untilMs: number): void => {
    this.#until.set(scenario, untilMs);
  };

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Runs every scenario at once; results keep the given order. */
export async function runConcurrently(
  selected: LoadedScenario[],
  run: (loaded: LoadedScenario) => Promise<ScenarioResult>,
  emit: (event: ProgressEvent) => void,
): Promise<ScenarioResult[]> {
  const total = selected.length;
  selected.forEach((loaded, index) => emit({ type: "scenario-start", index, total, id: loaded.scenario.id, title: loaded.scenario.title }));
  return Promise.all(
    selected.map(async (loaded, index) => {
      const result = await run(loaded);
      emit({ type: "scenario-end", index, total, result });
      return result;
    }),
  );
}
