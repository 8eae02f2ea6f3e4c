/**
 * The built Instances page (`npm run build` -> `dist/web/`), read once into memory at start-up. Only
 * the files found there are ever served (no path from a request reaches the file system), each with
 * its content type, an ETag, a gzip copy when that is smaller, and its cache policy: files under
 * `assets/` carry a content hash in their names and are cached for a year (`immutable`); everything
 * else (`index.html`) is revalidated on every load (`no-cache`).
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/**
 * The package's `dist/web/`: three folders up from this file both in `src/server/http/` (tests, tsx)
 * and in `dist/server/http/` (the built package), so the server only ever serves the built page.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../dist/web/", import.meta.url));

export interface PageAsset {
  body: Buffer;
  /** Present when gzip makes the body smaller. */
  gzip?: Buffer;
  contentType: string;
  cacheControl: string;
  etag: string;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

/** URL path (`/`, `/assets/instances-3FQ2.js`) -> asset. */
export type PageAssets = ReadonlyMap<string, PageAsset>;

/**
 * Reads every servable file under `root`. Resolves to `undefined` when there is no `index.html`
 * (the page was not built); files of other types than CONTENT_TYPES lists are left out.
 */
export async function loadPageAssets(root: string): Promise<PageAssets | undefined> {
  let names: string[];
  try {
    names = await filesUnder(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const assets = new Map<string, PageAsset>();
  for (const file of names) {
    const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
    if (!contentType) continue;
    const path = `/${relative(root, file).split(sep).join("/")}`;
    const body = await readFile(file);
    const gzip = COMPRESSIBLE.test(contentType) ? gzipSync(body, { level: 9 }) : undefined;
    assets.set(path, {
      body,
      ...(gzip && gzip.length < body.length ? { gzip } : {}),
      contentType,
      cacheControl: path.startsWith("/assets/") ? IMMUTABLE : REVALIDATE,
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
    });
  }
  const index = assets.get("/index.html");
  if (!index) return undefined;
  assets.set("/", index);
  return assets;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve(e.isFile() ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}
