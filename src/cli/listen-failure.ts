/**
 * A listen (serve's gateway, record's proxy) that failed on the address given: said in plain words
 * with Node's own text kept, so the command can name the flag that gave the address
 * (`--host bogus.example: no such host name (getaddrinfo ENOTFOUND bogus.example)`). Node's text
 * alone named neither the flag nor, for EADDRNOTAVAIL, what was wrong with the address.
 */

/** Codes of a listen that failed on its host or port, with what they mean. */
const ADDRESS_PROBLEMS: Record<string, string> = {
  ENOTFOUND: "no such host name",
  EAI_AGAIN: "the host name could not be looked up now",
  EADDRNOTAVAIL: "not an address of this machine",
  EACCES: "permission denied (a port below 1024 needs privileges)",
};

export interface AddressProblem {
  /** The problem and Node's message: `no such host name (getaddrinfo ENOTFOUND bogus.example)`. */
  text: string;
  /** The host name or address that failed, when Node says (absent for EACCES on some systems). */
  host: string | undefined;
  /** The port, when Node says. */
  port: number | undefined;
  /** True when the port, not the host, was refused (EACCES). */
  portRefused: boolean;
}

/** What was wrong with the address a listen failed on, or undefined for any other failure (EADDRINUSE has its own words). */
export function addressProblem(error: unknown): AddressProblem | undefined {
  const { code, hostname, address, port } = (error ?? {}) as NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };
  const problem = code === undefined ? undefined : ADDRESS_PROBLEMS[code];
  if (!problem) return undefined;
  return { text: `${problem} (${(error as Error).message})`, host: hostname ?? address, port, portRefused: code === "EACCES" };
}
