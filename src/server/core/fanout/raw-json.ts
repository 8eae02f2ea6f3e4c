/**
 * JSON that is already serialized (the cached presence list, issue 11), embedded in an answer or a
 * push without parsing and serializing it again. It is held as chunks of text and UTF-8 bytes (a
 * snapshot's rows are encoded once per list version).
 *
 * `encodeWithRaw` splices each RawJson inside a value into that value's JSON: a large result is
 * assembled in one buffer (the list's bytes copied in as they are, never encoded again; a push,
 * written to many sockets), a small one is text. `encodeAnswer` does the same for one answer but
 * leaves a large result in chunks (ChunkedJson: the list's bytes not copied at all).
 * `stringifyWithRaw` always returns text. A plain JSON.stringify still gives the right
 * output (toJSON parses the text), only slower.
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
 * buffer, written in one pass). For what is written to many sockets as it is (a push).
 */
export function encodeWithRaw(value: unknown): string | Buffer {
  const encoded = encodeAnswer(value);
  return encoded instanceof ChunkedJson ? encoded.join() : encoded;
}

/**
 * The JSON of `value` with every RawJson inside it spliced in, for one answer: text when small,
 * else ChunkedJson, whose chunks are the RawJson's own bytes (the cached list is never copied into
 * the answer; the socket gets it as it is).
 */
export function encodeAnswer(value: unknown): string | ChunkedJson {
  if (value instanceof RawJson) return value.length < BYTES_FROM ? value.text : new ChunkedJson(value.chunks);
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
  return new ChunkedJson(chunks);
}

/**
 * One JSON text as UTF-8 chunks, sent as one WebSocket message without joining them (issue 11: a
 * handshake's hello-ok carries the whole list, and joining it copied ~40 KB into a new buffer per
 * handshake; the socket takes the chunks as they are, in one writev).
 */
export class ChunkedJson {
  readonly chunks: readonly Buffer[];
  /** The bytes in all chunks. */
  readonly byteLength: number;

  constructor(chunks: readonly JsonChunk[]) {
    let size = 0;
    this.chunks = chunks.map((chunk) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      size += bytes.length;
      return bytes;
    });
    this.byteLength = size;
  }

  /** The chunks in one buffer (a copy). */
  join(): Buffer {
    return Buffer.concat(this.chunks as Buffer[], this.byteLength);
  }
}

/** An answer as a binding hands it to the core: JSON text, its UTF-8 bytes, or those bytes in chunks. */
export type EncodedJson = string | Buffer | ChunkedJson;

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
