/**
 * The HTTP side of a gateway's listeners, assembled from its options: the built page (read once,
 * served by every listener), each listener's `/config.json`, `/healthz` (the store's health), and the
 * Origin check with its log line and rejection count.
 */
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { GatewayContext } from "../core/context.js";
import { normalizeAddress } from "../core/remote-address.js";
import { redactUrl } from "../../transport/redact.js";
import { logThrottled } from "../limits/refuse.js";
import { createHttpFront, type Health, type ListenerHttp, type PageConfig } from "./http-front.js";
import { createOriginPolicy } from "./origin-check.js";
import { loadPageAssets } from "./page-assets.js";

export interface GatewayHttp {
  /** The HTTP handling of the listener that speaks `binding`. */
  forListener(binding: string): ListenerHttp;
}

/** `listeners`: every listener's binding and port (read per request: known once they listen). */
export async function createGatewayHttp(gw: GatewayContext, listeners: () => PageConfig["listeners"]): Promise<GatewayHttp> {
  const { webRoot, allowOrigins, maxEntries } = gw.options;
  const assets = webRoot === false ? false : await loadPageAssets(webRoot);
  if (assets === undefined && webRoot !== false) gw.log(`warning the Instances page is not built (no ${join(webRoot, "index.html")}): run npm run build`);
  const checkOrigin = createOriginPolicy({ allowOrigins, ports: () => listeners().map((l) => l.port) });
  const onOriginRefused = (origin: string, reason: string, request: IncomingMessage) => {
    gw.metrics.rejections++;
    // The header is the client's: a token may ride in it (userinfo, a query, the whole value), so it is
    // shown as a report shows a URL, the gateway's own token replaced wherever it occurs.
    const shown = JSON.stringify(redactUrl(origin, gw.options.token === undefined ? [] : [gw.options.token]).slice(0, 200));
    const address = request.socket.remoteAddress === undefined ? undefined : normalizeAddress(request.socket.remoteAddress);
    logThrottled(gw, "ORIGIN_NOT_ALLOWED", address, `reject origin=${shown} reason=ORIGIN_NOT_ALLOWED ${reason} address=${address ?? "?"}`);
  };
  const health = (): Health => {
    const { backend, shared, healthy } = gw.store.status();
    return { status: healthy ? "ok" : "degraded", store: { backend, shared, healthy } };
  };
  return {
    forListener: (binding) =>
      createHttpFront({ assets, checkOrigin, onOriginRefused, health, config: () => ({ binding, listeners: listeners(), maxEntries }) }),
  };
}
