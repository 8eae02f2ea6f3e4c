/** Roles and scopes (SPEC H7). */
import type { Connection, Role } from "./connection.js";
import { GatewayError } from "./errors.js";

export const DEFAULT_OPERATOR_SCOPES: readonly string[] = ["operator.read", "operator.write"];

export type RequiredScope = "operator.read" | "operator.write";

/** The scopes that satisfy each requirement: write and admin imply read, admin implies write. */
const SUFFICIENT: Record<RequiredScope, readonly string[]> = {
  "operator.read": ["operator.read", "operator.write", "operator.admin"],
  "operator.write": ["operator.write", "operator.admin"],
};

/** The connection's scopes: the requested ones, or the operator defaults; nodes get none by default. */
export function grantedScopes(role: Role, requested: readonly string[] | undefined): string[] {
  if (requested !== undefined) return [...new Set(requested)];
  return role === "operator" ? [...DEFAULT_OPERATOR_SCOPES] : [];
}

export function hasScope(conn: Pick<Connection, "role" | "scopes">, needed: RequiredScope): boolean {
  if (conn.role === "node") return false;
  const sufficient = SUFFICIENT[needed];
  for (const scope of conn.scopes) if (sufficient.includes(scope)) return true;
  return false;
}

/** FORBIDDEN with `data.missingScope` unless the connection may do this (SPEC H7). */
export function requireScope(conn: Connection, needed: RequiredScope, method: string): void {
  if (hasScope(conn, needed)) return;
  const why = conn.role === "node" ? "role node may not call it" : `missing scope: ${needed}`;
  throw new GatewayError("FORBIDDEN", `${method}: ${why}`, { missingScope: needed, method });
}
