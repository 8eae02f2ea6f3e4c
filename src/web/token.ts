/**
 * The gateway token (SPEC H5) on the page: asked for only when the gateway refuses a connect without
 * it, kept in sessionStorage (this tab, this origin, gone when the tab closes), sent only as
 * `auth.token` in `connect`, never put in a URL.
 */
const KEY = "gateway-presence.token";

export const tokenStore = {
  get(): string | undefined {
    try {
      return sessionStorage.getItem(KEY) || undefined;
    } catch {
      return undefined;
    }
  },
  set(token: string): void {
    try {
      sessionStorage.setItem(KEY, token);
    } catch {
      // Storage refused (private mode): the token lives only in this page's memory.
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // Nothing was stored.
    }
  },
};

/** What to tell the visitor when the gateway answers UNAUTHORIZED. */
export function tokenPrompt(sentToken: boolean): string {
  return sentToken
    ? "The gateway refused this token (wrong auth.token). Check it and enter it again."
    : "This gateway needs a token. Enter it to connect.";
}
