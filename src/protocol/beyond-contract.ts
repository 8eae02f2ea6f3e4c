/**
 * Fields a gateway puts in presence rows beyond the contract, and how a TypeScript app reads them.
 *
 * `PresenceEntry` stays closed (SPEC §3; §11 W2: a gateway SHOULD send no other field, and clients MUST
 * ignore the fields they do not know): the reference gateway, whose rows are typed `PresenceEntry`,
 * cannot send one, the published schema keeps rejecting them (conform warns, W2), and no app is led to
 * rely on a field a SPEC gateway never sends. The client does not drop them either: rows are kept as
 * the gateway sent them (`client.presence.entries`, `systemPresence()`, `list --json`), and
 * `presenceExtras(row)` gives their fields beyond SPEC §3, the ones OpenClaw is known to send typed.
 */
import { PRESENCE_ENTRY_FIELDS, type PresenceEntry } from "./presence.js";

/**
 * The fields OpenClaw adds to rows, as recorded from real gateways: 2026.1.30 adds `deviceId`;
 * 2026.9.x adds `clientId`, `deviceId` (a signed device's), `onlineSince`, `timeZone` (when the client
 * sent one) and `user` to the rows of connections, not to its own row, and keeps a beacon's `deviceId`.
 * None is in SPEC §3.
 */
export interface OpenClawPresenceFields {
  /** The signed device of the connection that wrote the row (hex SHA-256 of its public key), or a beacon's `deviceId`. */
  deviceId?: string;
  /** The connection's `connect` `client.id` (`webchat-ui`, `openclaw-macos`, `test`, ...). */
  clientId?: string;
  /** When the connection came online: ms since the epoch, on the gateway's clock (like `ts`). */
  onlineSince?: number;
  /** The connection's `connect` `client.timeZone`, an IANA name (`Europe/Vienna`). */
  timeZone?: string;
  /** The gateway's user the connection acts for. */
  user?: OpenClawPresenceUser;
}

/** OpenClaw 2026.9.x's `user` of a row: `{id, identity: {type, id}, avatarUrl}`. */
export interface OpenClawPresenceUser {
  readonly [field: string]: unknown;
  id?: string;
  identity?: { readonly [field: string]: unknown; type?: string; id?: string };
  /** A path on the gateway's own HTTP server (`/api/users/<id>/avatar?v=...`), not a whole URL. */
  avatarUrl?: string;
}

/** A row's fields beyond SPEC §3: OpenClaw's typed (OpenClawPresenceFields), any other as `unknown`. */
export type PresenceExtras = OpenClawPresenceFields & { readonly [field: string]: unknown };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const optional = (value: unknown, type: "string" | "number") => value === undefined || typeof value === type;

/** Whether `value` has the type OpenClawPresenceFields gives the field `name` (any value for another name). */
function fitsKnownField(name: string, value: unknown): boolean {
  switch (name) {
    case "deviceId":
    case "clientId":
    case "timeZone":
      return typeof value === "string";
    case "onlineSince":
      return typeof value === "number" && Number.isFinite(value);
    case "user": {
      if (!isObject(value) || !optional(value.id, "string") || !optional(value.avatarUrl, "string")) return false;
      const identity = value.identity;
      return identity === undefined || (isObject(identity) && optional(identity.type, "string") && optional(identity.id, "string"));
    }
    default:
      return true;
  }
}

const CONTRACT_FIELDS: ReadonlySet<string> = new Set(PRESENCE_ENTRY_FIELDS);

/**
 * The fields of `row` beyond SPEC §3, as the gateway sent them (values are not copied): a new object,
 * `{}` for a row of a SPEC gateway. OpenClaw's fields are typed (`extras.timeZone` is a
 * `string | undefined`); one sent with another type (a `deviceId` that is a number) is left out, so
 * the types never lie; the row itself keeps it. Every other unknown field is passed on as `unknown`.
 *
 * ```ts
 * for (const row of client.presence.entries) {
 *   const { clientId, timeZone, user } = presenceExtras(row); // OpenClaw 2026.9.x's, when it sent them
 *   console.log(row.host, clientId ?? "-", timeZone ?? "-", user?.id ?? "-");
 * }
 * ```
 */
export function presenceExtras(row: PresenceEntry): PresenceExtras {
  const extras: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (!CONTRACT_FIELDS.has(name) && fitsKnownField(name, value)) extras[name] = value;
  }
  return extras;
}
