/**
 * The scenario model: what a fixture under fixtures/conformance/ declares. `npm run gen` turns
 * these declarations into schemas/scenario.schema.json; the runner executes them over any binding.
 *
 * Values in expectations are matchers (see matchers.ts): a literal (objects match partially,
 * arrays element by element) or an object of `$` operators: `$any`, `$absent`, `$regex`, `$range`,
 * `$gt`/`$gte`/`$lt`/`$lte`, `$type`, `$contains`, `$notContains`, `$len`, `$exact`, `$eq`, `$not`.
 * Strings anywhere may hold variables: `${run}`, `${token}`, `${a.instanceId}`, `${a.connId}`,
 * `${a.hello.policy.maxPayload}`, `${config.handshakeTimeoutMs}`, captured names, `${gen.uuid}`, `${gen.str:129}`, with filters
 * `${a.instanceId|upper}` / `|lower`. A string that is exactly one `${...}` keeps the value's type.
 */

import type { Level, RuleId } from "./rules.js";
import type { Step } from "./steps.js";

export type { Level, RuleId } from "./rules.js";
export type * from "./steps.js";

/**
 * What a scenario needs from the gateway or the run; detected from hello-ok (`features`,
 * `policy`), the URL and the run options. A scenario whose needs are not met is skipped.
 */
export type Capability =
  /** `test.clock.advance` is listed in hello-ok.features.methods (SPEC S3). */
  | "testClock"
  /** The run was given the gateway's token (SPEC H5). */
  | "token"
  /** Clients may connect with role "node" (OpenClaw needs pairing first). */
  | "nodeRole"
  /** Clients may ask for custom scopes (SPEC H7). */
  | "scopes"
  /** `system-event` is listed in features.methods. */
  | "systemEvent"
  /** `presence` is listed in features.events. */
  | "presenceEvents"
  /** The probe asked for `presence.delta` and hello-ok.features.caps grants it (docs/delta.md D1). */
  | "presenceDelta"
  /** `tick` is listed and its interval fits the run (<= 5 s), or the run is slow. */
  | "tick"
  /** The binding is jsonrpc: raw JSON-RPC frames, batches, numeric error codes. */
  | "jsonrpc"
  /** The runner reaches the gateway over loopback (127.0.0.0/8, ::1, localhost). */
  | "loopback"
  /** The gateway's handshake timeout (run option, default 10 s) fits the run (<= 5 s), or the run is slow. */
  | "handshakeTimeout"
  /** The run may take long (real-time waits): `--slow`. */
  | "slow"
  /**
   * A real-time run (`--real-time`): the scenario waits for the TTL on the wall clock instead of a test
   * clock. Such scenarios run only in real-time runs, concurrently, and are not part of a default run.
   */
  | "realTime"
  /**
   * The run was given two or more gateways of one cluster (`conform --url A --url B`, sharing one
   * presence list, e.g. on Redis): the cross-gateway scenarios run.
   */
  | "cluster";

/** How an actor authenticates: the run's token, none, a wrong one, or a literal token. */
export type ActorAuth = "default" | "none" | "wrong" | { token: string };

/**
 * A client of the scenario: its connect params. Each actor runs on its own fresh connection.
 * @additionalProperties false
 */
export interface Actor {
  /**
   * Merged over `{id:"conformance", version:"1.0.0", platform:"conformance", mode:"test"}`.
   * Open on purpose, so bad-input scenarios can send unknown fields. `instanceId` may be `${gen.uuid}`.
   */
  client?: { [field: string]: unknown };
  role?: string;
  scopes?: string[];
  /** Default: "default" (the run's token when one was given). */
  auth?: ActorAuth;
  /** Protocol range to offer; default: the binding's range. */
  protocol?: { min: number; max: number };
  /** More top-level connect params, merged last. */
  extra?: { [field: string]: unknown };
  /**
   * Which of the run's gateways this actor connects to: its position in the run's URLs (`--url A
   * --url B`: 0 is A). Default: the actors are spread over the gateways in the order they are
   * declared (the first on the first gateway, the second on the second, ...). With one gateway every
   * actor uses it.
   * @TJS-type integer
   * @minimum 0
   */
  gateway?: number;
  /**
   * `false`: send the connect exactly as written, even when the gateway needs more (e.g. OpenClaw's
   * `operator.admin` for system-event), because the scopes are what the scenario checks (SPEC H7).
   * The binding still encodes it (client ids, signature). Default: adapted, and the report says how.
   */
  adapt?: boolean;
}

/**
 * One conformance scenario (one file under fixtures/conformance/).
 * @additionalProperties false
 */
export interface Scenario {
  $schema?: string;
  /**
   * Unique, stable: baselines refer to it.
   * @pattern ^[a-z0-9][a-z0-9.-]*$
   */
  id: string;
  /** @minLength 1 */
  title: string;
  description?: string;
  /**
   * The SPEC rules it checks.
   * @minItems 1
   */
  rules: RuleId[];
  level: Level;
  requires?: Capability[];
  /**
   * Deadline for the whole scenario; default: the run's scenario timeout.
   * @TJS-type integer
   * @minimum 1
   * @maximum 2147483647
   */
  timeoutMs?: number;
  /**
   * Run after the scenarios without it (default false; in file order among themselves): what it
   * leaves on a gateway that accepts it weighs on every scenario after it. b1-oversized-frame's 600 KB
   * beacon, kept by OpenClaw 2026.9.6, made every later listing and push 600 KB, and that gateway's
   * slow-consumer limit then closed b2-rate-limit's flood mid-way (B2 failed without being judged).
   */
  runLast?: boolean;
  actors: { [name: string]: Actor };
  /** @minItems 1 */
  steps: Step[];
}
