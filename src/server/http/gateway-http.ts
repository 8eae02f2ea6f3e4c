/**
 * The HTTP side of a gateway's listeners, assembled from its options: the built page (read once),
 * `/config.json`, and the Origin check with its log line and rejection count.
 */
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { GatewayContext } from "../core/context.js";
import { createHttpFront, type PageConfig } from "./http-front.js";
import { createOriginPolicy } from "./origin-check.js";
import { loadPageAssets } from "./page-assets.js";

export type GatewayHttp = ReturnType<typeof createHttpFront>;

export interface GatewayHttpOptions {
  /** The gateway's listeners (known once they listen). */
  listeners: () => PageConfig["listeners"];
  /** The binding of the listener this front belongs to. */
  binding: string;
}

export async function createGatewayHttp(gw: GatewayContext, options: GatewayHttpOptions): Promise<GatewayHttp> {
  const { webRoot, allowOrigins, maxEntries } = gw.options;
  const assets = webRoot === false ? false : await loadPageAssets(webRoot);
  if (assets === undefined && webRoot !== false) gw.log(`warning the Instances page is not built (no ${join(webRoot, "index.html")}): run npm run build`);
  return createHttpFront({
    assets,
    config: () => ({ binding: options.binding, listeners: options.listeners(), maxEntries }),
    checkOrigin: createOriginPolicy({ allowOrigins, ports: () => options.listeners().map((l) => l.port) }),
    onOriginRefused: (origin: string, reason: string, request: IncomingMessage) => {
      gw.metrics.rejections++;
      const shown = JSON.stringify(origin.slice(0, 200));
      gw.log(`reject origin=${shown} reason=ORIGIN_NOT_ALLOWED ${reason} address=${request.socket.remoteAddress ?? "?"}`);
    },
  });
}
