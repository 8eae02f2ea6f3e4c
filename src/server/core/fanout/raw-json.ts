/**
 * JSON that is already serialized (the cached presence list, issue 11), embedded in an answer or a
 * push without parsing and serializing it again. It is held as chunks of text and UTF-8 bytes (a
 * snapshot's rows are encoded once per list version).
 *
 * `encodeWithRaw` splices each RawJson inside a value into that value's JSON: a large result is
 * assembled in one buffer (the list's bytes copied in as they are, never encoded again), a small
 * one is text. `stringifyWithRaw` always returns text. A plain JSON.stringify still gives the right
 * output (toJSON parses the text), only slower. `encodeAsFragments` is for an answer to one socket:
 * instead of copying the list's bytes into one buffer (~39 KB for 200 rows, every hello-ok), it
 * gives the message as fragments, the list's own bytes among them (issue 11).
 */
import { randomBytes } from "node:crypto";

/** Marks where a RawJson goes; the nonce is never sent, so no client string can forge a marker. */
const MARK = `\u0000raw-${randomBytes(12).toString("hex")}-`;
const MARKER = new RegExp(`"${JSON.stringify(MARK).slice(1, -1).replace(/\\/g, "\\\\")}(\\d+)"`, "g");

let collecting: RawJson[] | undefined;

export type JsonChunk = string | Buffer;

/** Below this many characters of spliced JSON an answer stays text; above, it is assembled as bytes. */
const BYTES_FROM = 2048;

export class RawJson {
  readonly chunks: readonly JsonChunk[];
  /** Characters (text) or bytes (buffers) in the chunks. */
  readonly length: number;
  private joined: string | undefined;

  /** The chunks, concatenated, must be valid JSON (the caller serialized it). */
  constructor(...chunks: JsonChunk[]) {
    this.chunks = chunks;
    this.length = chunks.reduce((n, chunk) => n + chunk.length, 0);
  }

  get text(): string {
    return (this.joined ??= this.chunks.map((chunk) => (typeof chunk === "string" ? chunk : chunk.toString("utf8"))).join(""));
  }

  toJSON(): unknown {
    if (collecting === undefined) return JSON.parse(this.text);
    collecting.push(this);
    return `${MARK}${collecting.length - 1}`;
  }
}

/** JSON.stringify, with every RawJson inside `value` written as its JSON. */
export function stringifyWithRaw(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  const { text, raws } = stringifyMarked(value);
  return raws.length === 0 ? text : text.replace(MARKER, (_, i: string) => raws[Number(i)].text);
}

/**
 * The JSON of `value` with every RawJson inside it spliced in: text when small, else bytes (one
 * buffer, written in one pass).
 */
export function encodeWithRaw(value: unknown): string | Buffer {
  const spliced = spliceRaw(value);
  return typeof spliced === "string" ? spliced : concatChunks(spliced);
}

/**
 * One WebSocket message as its fragments, in order (RFC 6455 §5.4: every client reassembles them;
 * the application sees one message). Sent with ws's `send(part, {fin: false})` for all but the last.
 */
export type Fragments = readonly Buffer[];

/** Below this many bytes a chunk is copied into its neighbours' fragment rather than sent as its own. */
const OWN_FRAGMENT_FROM = 4096;

/**
 * Like encodeWithRaw, but a large result comes as Fragments: each large byte chunk of a RawJson
 * (the list's bytes, shared by every answer of its version) is a fragment as it is, and the small
 * chunks around it are joined into one fragment each. For answers written to one socket; a push
 * shared by many sockets stays one buffer (encodeWithRaw).
 */
export function encodeAsFragments(value: unknown): string | Buffer | Fragments {
  const spliced = spliceRaw(value);
  return typeof spliced === "string" ? spliced : asFragments(spliced);
}

/** The chunks as one message's fragments: large buffers as they are, the small chunks between them joined. */
export function asFragments(chunks: readonly JsonChunk[]): Buffer | Fragments {
  const fragments: Buffer[] = [];
  let small: JsonChunk[] = [];
  for (const chunk of chunks) {
    if (typeof chunk === "string" || chunk.length < OWN_FRAGMENT_FROM) {
      small.push(chunk);
      continue;
    }
    if (small.length > 0) fragments.push(concatChunks(small));
    fragments.push(chunk);
    small = [];
  }
  if (small.length > 0) fragments.push(concatChunks(small));
  return fragments.length === 1 ? fragments[0] : fragments;
}

/** The JSON of `value` as text when small, else as chunks (text and the RawJsons' own chunks). */
function spliceRaw(value: unknown): string | JsonChunk[] {
  if (value instanceof RawJson) return value.length < BYTES_FROM ? value.text : [...value.chunks];
  const { text, raws } = stringifyMarked(value);
  if (raws.length === 0) return text;
  if (raws.reduce((n, raw) => n + raw.length, 0) < BYTES_FROM) return text.replace(MARKER, (_, i: string) => raws[Number(i)].text);
  const chunks: JsonChunk[] = [];
  let from = 0;
  for (const match of text.matchAll(MARKER)) {
    chunks.push(text.slice(from, match.index), ...raws[Number(match[1])].chunks);
    from = match.index + match[0].length;
  }
  chunks.push(text.slice(from));
  return chunks;
}

/** One buffer holding the chunks one after another (text encoded as UTF-8, bytes copied). */
export function concatChunks(chunks: readonly JsonChunk[]): Buffer {
  let size = 0;
  for (const chunk of chunks) size += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const chunk of chunks) at += typeof chunk === "string" ? out.write(chunk, at) : chunk.copy(out, at);
  return out;
}

function stringifyMarked(value: unknown): { text: string; raws: RawJson[] } {
  const outer = collecting;
  const raws: RawJson[] = (collecting = []);
  try {
    return { text: JSON.stringify(value), raws };
  } finally {
    collecting = outer;
  }
}
