/**
 * The `client` object of `connect` (SPEC H2). Closed: unknown fields are rejected.
 * @additionalProperties false
 */
export interface ClientInfo {
  /**
   * Client identifier (OpenClaw checks it against its own enum; we accept any).
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  id: string;
  /**
   * Human-readable name; becomes the presence row's `host` (SPEC P2).
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  displayName?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  version: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  platform: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  deviceFamily?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  modelIdentifier?: string;
  /**
   * `ui`, `webchat`, `cli`, `backend`, `probe`, `test`, `node`, `worker`; others are accepted.
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  mode: string;
  /**
   * Stable client identity: the presence key (SPEC K1), compared case-insensitively.
   * @minLength 1
   * @maxLength 128
   * @pattern \S
   */
  instanceId?: string;
}

/** Credentials of `connect` (SPEC H5). */
export interface ConnectAuth {
  /**
   * @minLength 1
   * @maxLength 1024
   */
  token?: string;
}

/**
 * Params of `connect` (SPEC H2), shaped like OpenClaw's ConnectParams. Other top-level fields of
 * OpenClaw's ConnectParams (`device`, `permissions`, `commands`, ...) are accepted and ignored.
 */
export interface ConnectParams {
  /**
   * @TJS-type integer
   * @minimum 1
   */
  minProtocol: number;
  /**
   * @TJS-type integer
   * @minimum 1
   */
  maxProtocol: number;
  client: ClientInfo;
  /** Defaults to `operator`. */
  role?: "operator" | "node";
  /**
   * @maxItems 32
   */
  scopes?: NonEmptyString[];
  auth?: ConnectAuth;
  /**
   * @maxItems 32
   */
  caps?: NonEmptyString[];
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  locale?: string;
  /**
   * @minLength 1
   * @maxLength 256
   * @pattern \S
   */
  userAgent?: string;
  [extra: string]: unknown;
}

/**
 * A string that is not empty after trimming, at most 256 characters (SPEC B3).
 * @minLength 1
 * @maxLength 256
 * @pattern \S
 */
export type NonEmptyString = string;
