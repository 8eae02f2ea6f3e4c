/**
 * The Instances view: follows one presence client (its mirror, ticks and state) and renders the
 * table, counts, banner and spoken changes, once a second and on every change, marking the rows
 * that changed. While the tab is hidden it renders nothing (the client keeps the connection and the
 * mirror current) and renders the latest list at once when the tab is shown again.
 */
import type { MirrorChange } from "../client/mirror.js";
import { fieldText } from "../client/status.js";
import type { PresenceClient, StateChange } from "../client/types.js";
import type { PresenceEntry } from "../protocol/presence.js";
import { GatewayTime } from "./gateway-time.js";
import { InputReportLog } from "./input-reports.js";
import { countByStatus, displayRows, matchesFilters, modesOf, sortRows, type DisplayRow } from "./rows.js";
import { Announcer, describeChanges } from "./view/announcer.js";
import { ConnectionBanner } from "./view/banner.js";
import { ChangeTracker } from "./view/changes.js";
import { byId, setText } from "./view/dom.js";
import { FilterControls } from "./view/filters.js";
import { SortControl } from "./view/sort.js";
import { Summary } from "./view/summary.js";
import { InstancesTable } from "./view/table.js";

/**
 * Keep-alives refresh the rows of open connections without a push (SPEC P7), so the list is re-read
 * this often (as `gateway-presence watch` does) for their ages to stay true.
 */
const RESYNC_MS = 30_000;
/**
 * A busy gateway pushes the list up to 20 times a second (its 50 ms push rounds): pushes are rendered
 * at most this often, in ms (the first after a quiet spell at once; the changes meanwhile together).
 * Each rendering re-sorts and moves rows, which the eye cannot follow at 20 a second anyway; it cut
 * the page's main-thread time under churn by a quarter to a third (docs/web.md).
 */
const PUSH_RENDER_MS = 250;
/** A tick this far ahead of the estimate means the gateway's clock jumped (test.clock.advance), which refreshed live rows silently. */
const CLOCK_JUMP_MS = 5_000;

export interface AppOptions {
  url: string;
  binding: string;
  maxEntries: number | undefined;
  /** The banner's Retry button. */
  onRetry: () => void;
}

export class InstancesApp {
  readonly time = new GatewayTime();
  readonly banner: ConnectionBanner;
  readonly #table = new InstancesTable(byId<HTMLTableSectionElement>("rows"));
  readonly #summary = new Summary();
  readonly #announcer = new Announcer(byId("live"));
  readonly #filters = new FilterControls(() => this.render(false));
  readonly #sort = new SortControl(() => this.render(false));
  readonly #region = byId("table-region");
  readonly #info = byId("gateway-info");
  readonly #changes = new ChangeTracker();
  /** The last-input reports seen, kept across keep-alives (Last input). */
  readonly #inputs = new InputReportLog();
  /**
   * Renderings feed the change highlight: from a list's arrival over an open connection until the
   * connection is lost. While not connected the table is the last known list (ages counting): nothing
   * came from the gateway, so nothing is marked, and a reconnect's list is compared with the last live one.
   */
  #tracking = false;
  /** The gateway's time (estimated) when the connection was last lost: the last live list's statuses were as of then. */
  #lostAt = NaN;
  #entries: readonly PresenceEntry[] = [];
  /** A list has come at least once (the table then holds the last known list while not live). */
  #everListed = false;
  #previous: DisplayRow[] = [];
  #detach: Array<() => void> = [];
  #client: PresenceClient | undefined;
  /** The re-read of the list after a clock jump: not asked, on its way, or done. */
  #jumpResync: "idle" | "pending" | "done" = "idle";
  #live = false;
  /** The gateway's /healthz says degraded: a cluster gateway serving without its Redis. */
  #degraded = false;
  /** When the view last rendered (performance.now()), and the rendering of pushes waiting for PUSH_RENDER_MS. */
  #renderedAt = -Infinity;
  #pushRender: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: AppOptions) {
    this.banner = new ConnectionBanner(options.url, options.onRetry);
    setInterval(() => {
      if (document.hidden) return;
      this.banner.tick();
      this.render(true);
    }, 1000);
    setInterval(() => this.#resync(), RESYNC_MS);
    document.addEventListener("visibilitychange", () => this.#shown());
  }

  /**
   * Back from a hidden tab: the latest list at once, unmarked and unannounced (what changed while
   * nobody looked is long past a mark's 1.5 s; the counts and caption say where the list is now).
   */
  #shown(): void {
    if (document.hidden) return;
    this.#changes.reset();
    // Shown while not connected: a reconnect's list is still compared with the last live list, as it was
    // when the connection was lost (not as it aged since: a row turned Idle by the clock alone).
    if (!this.#tracking && this.#everListed) this.#changes.changed(this.#rows(this.#lostAt));
    this.#table.unmarkAll();
    this.banner.tick();
    this.render(false);
  }

  /** Follows this client (and stops following the previous one). */
  follow(client: PresenceClient): void {
    for (const off of this.#detach) off();
    this.#client = client;
    this.#detach = [
      client.presence.on("change", (change) => this.#listChanged(change)),
      client.on("tick", ({ ts }) => this.#tick(ts)),
      client.on("state", (change) => this.#stateChanged(client, change)),
    ];
  }

  /**
   * Renders everything (nothing while the tab is hidden); `announce`: say what changed since the last
   * rendering. Rows that changed since then are marked, once a list was shown.
   */
  render(announce: boolean): void {
    clearTimeout(this.#pushRender);
    this.#pushRender = undefined;
    if (document.hidden) return;
    this.#renderedAt = performance.now();
    const rows = this.#rows(this.time.now());
    if (announce) this.#announcer.say(describeChanges(this.#previous, rows));
    this.#previous = rows;
    // Before the first list the rows are none: the first list is taken as it is.
    const changed = this.#everListed && (this.#tracking || !this.#changes.started) ? this.#changes.changed(rows) : new Set<string>();
    this.#filters.setModes(modesOf(rows));
    const filters = this.#filters.value;
    const shown = sortRows(
      rows.filter((row) => matchesFilters(row, filters)),
      this.#sort.value,
    );
    this.#table.render(shown, changed);
    const disconnected = rows.filter((row) => row.reason === "disconnect").length;
    this.#summary.render(countByStatus(rows), rows.length, shown.length, this.options.maxEntries, disconnected);
  }

  /** The display rows of the list at `gatewayNow` (ms, the gateway's clock). */
  #rows(gatewayNow: number): DisplayRow[] {
    return displayRows(this.#entries, gatewayNow, this.#client?.hello?.policy?.presenceTtlMs, this.#inputs);
  }

  /**
   * A tick moves the clock estimate. When it jumped (test.clock.advance), the gateway refreshed the
   * rows of open connections without a push: the page re-reads the list and takes the new time from
   * it (its self row is fresh), so rows and clock change together and no live row flickers Idle.
   * Jumping ticks are held while that list is on its way; only when it did not carry the new time
   * (no self row) is a tick's time taken as it is.
   */
  #tick(ts: number): void {
    const jumped = this.time.jumpOf(ts) > CLOCK_JUMP_MS && this.#client?.state === "open";
    if (jumped && this.#jumpResync !== "done") {
      if (this.#jumpResync === "idle") {
        this.#jumpResync = "pending";
        const done = () => {
          this.#jumpResync = "done";
        };
        this.#client!.presence.resync().then(done, done);
      }
      return;
    }
    this.#jumpResync = "idle";
    this.time.sample(ts);
    this.render(true);
  }

  #resync(): void {
    if (this.#client?.state === "open") this.#client.presence.resync().catch(() => {});
  }

  #listChanged(change: MirrorChange): void {
    if (change.source === "snapshot") {
      // A (re)connect's list (it comes before the client's "open" state): compared with the last live one.
      this.time.reset();
      if (this.#everListed) this.#changes.reconnected();
      this.#tracking = true;
    }
    this.#inputs.update(change.entries, change.source);
    this.#everListed = true;
    this.time.sampleList(change.entries);
    this.#entries = change.entries;
    if (document.hidden) return; // rendered when shown again (#shown)
    if (change.source === "snapshot") {
      // A (re)connect: the whole list is new to the view; one sentence instead of one per row.
      this.render(false);
      this.#announcer.say([`Connected to the gateway: ${change.entries.length} instances listed`]);
    } else {
      this.#renderPush();
    }
  }

  /** Renders a pushed list now, or PUSH_RENDER_MS after the last rendering (with whatever came meanwhile). */
  #renderPush(): void {
    if (this.#pushRender !== undefined) return;
    const wait = this.#renderedAt + PUSH_RENDER_MS - performance.now();
    if (wait <= 0) this.render(true);
    else this.#pushRender = setTimeout(() => this.render(true), wait);
  }

  /** What /healthz said (src/web/health.ts). */
  setDegraded(degraded: boolean): void {
    this.#degraded = degraded;
    this.#note();
  }

  #note(): void {
    // Before any list came there is no "last known" one to speak of (the banner says why).
    const note = !this.#live
      ? this.#everListed
        ? "(last known list, not live)"
        : "(no list yet)"
      : this.#degraded
        ? "(this gateway cannot reach its cluster's Redis: it lists what it knows alone; other gateways and their clients may be missing or out of date)"
        : "";
    setText(byId("table-note"), note);
  }

  #stateChanged(client: PresenceClient, change: StateChange): void {
    this.banner.update(change);
    const live = change.state === "open";
    this.#live = live;
    if (!live && this.#tracking) {
      this.#tracking = false;
      this.#lostAt = this.time.now();
    }
    this.#region.dataset.live = String(live);
    this.#note();
    if (live && client.hello) {
      // A hello-ok without server (SPEC H4 broken) still connects (the client reads only its snapshot as required).
      const version = fieldText((client.hello as { server?: { version?: unknown } }).server?.version) ?? "(no server.version)";
      setText(this.#info, `gateway ${version} · ${this.options.binding} · ${this.options.url}`);
    }
  }
}
