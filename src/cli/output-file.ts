/**
 * Output files named by options (`--out`, `--write-baseline`) are checked before any work is done: a
 * conformance run takes minutes, and a typo in a directory name must not cost them. They are written
 * whole (writeOutputFile, or openOutputStream for record's stream), whoever else writes the same file
 * at the same time.
 */
import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, createWriteStream, existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats, type WriteStream } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/**
 * Throws, naming the option and what is wrong, when `file` cannot be written: its directory is missing,
 * is not a directory or is not writable, or the file is a directory or not writable. Writes nothing.
 */
export function checkWritable(option: string, file: string): void {
  const path = resolve(file);
  const dir = dirname(path);
  const fail = (why: string): never => {
    throw new Error(`cannot write ${option} ${file}: ${why}`);
  };
  const dirStat = statOrUndefined(dir);
  if (!dirStat) fail(`no directory ${dir}`);
  if (!dirStat!.isDirectory()) fail(`${dir} is not a directory`);
  const fileStat = statOrUndefined(path);
  if (fileStat?.isDirectory()) fail("it is a directory");
  try {
    accessSync(fileStat ? path : dir, constants.W_OK);
  } catch (error) {
    fail(`${fileStat ? path : dir} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to `file` whole, creating its folder (and missing parents) first; returns the folder
 * when it created it. Safe when several writers race for the same file (two `fixture --out` runs in
 * parallel, as a script or a test runner starts them):
 * - a folder another writer creates meanwhile is taken as it is (its mkdir's EEXIST said `a file is
 *   in the way` though none was, and the command failed);
 * - a regular file (or a new one) is written to a temporary file beside it and renamed over it, so a
 *   reader never sees half a file and two writers never mix their texts: the last rename wins; the
 *   file keeps its permissions. Other targets (`/dev/stdout`, a pipe, a symbolic link), a file with
 *   other names (hard links) and a file in a folder that takes no new files are written in place, as
 *   before.
 * Errors name the path that is in the way, not only Node's code: `it is a folder`, `cannot create the
 * folder x: ENOTDIR (a file is in the way: x; move it, or write elsewhere)`.
 */
export function writeOutputFile(file: string, text: string): string | undefined {
  const folder = dirname(file);
  let created: string | undefined;
  try {
    created = makeFolders(folder) ? folder : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const blocker = code === "EEXIST" || code === "ENOTDIR" ? ` (a file is in the way: ${fileOnPath(folder) ?? folder}; move it, or write elsewhere)` : "";
    throw new Error(`cannot create the folder ${folder}: ${code ?? (error as Error).message}${blocker}`);
  }
  const target = lstatOrUndefined(file);
  if (writesInPlace(file, target)) {
    writeFileSync(file, text);
    return created;
  }
  const temporary = temporaryBeside(file);
  try {
    writeFileSync(temporary, text, { flag: "wx" });
  } catch (error) {
    // A writable file in a folder that takes no new files: written in place, as before.
    const code = (error as NodeJS.ErrnoException).code;
    if (!target || (code !== "EACCES" && code !== "EPERM")) throw new Error((error as Error).message.replace(temporary, file));
    writeFileSync(file, text);
    return created;
  }
  replaceWith(temporary, file, target);
  return created;
}

/**
 * Whether `file` (lstat `target`) is written in place: it is not a regular file (`/dev/stdout`, a
 * pipe, a symbolic link) or has other names (hard links: a rename would leave them the old text).
 * Throws `it is a folder`, and Node's error for an existing file that may not be written (a rename
 * would replace it all the same).
 */
function writesInPlace(file: string, target: Stats | undefined): boolean {
  if (target?.isDirectory()) throw new Error("it is a folder");
  if (target && (!target.isFile() || target.nlink > 1)) return true;
  if (target) accessSync(file, constants.W_OK);
  return false;
}

/** A new name beside `file` for its next text: `.NAME.<pid>-<8 hex digits>.tmp`. */
function temporaryBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
}

/** Renames `temporary` over `file`, with the permissions `file` had (`target`); errors name `file`. */
function replaceWith(temporary: string, file: string, target: Stats | undefined): void {
  try {
    if (target) chmodSync(temporary, target.mode & 0o7777); // a 0600 report stays 0600 (the new file had the umask's)
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    if ((error as NodeJS.ErrnoException).code === "EISDIR") throw new Error("it is a folder"); // made a folder meanwhile
    throw new Error((error as Error).message.replace(temporary, file)); // the file the user named
  }
}

/** A file written as a stream (record's recording), whole at its name only once finished. */
export interface OutputStream {
  stream: WriteStream;
  /**
   * Ends the stream and puts the file in place (a rename over the old one), with what was written
   * until then, also after a write error. Rejects with an error naming the file.
   */
  finish(): Promise<void>;
  /** Drops what was written (nothing was recorded): the old file, if any, stays as it was. */
  abandon(): void;
}

/**
 * Opens `file` for a stream of writes, as writeOutputFile writes a text: into a temporary file
 * beside it, renamed over it by finish(), so two writers of one file (two `record --out FILE` runs)
 * never mix or cut each other's lines (each opened the file with "w", truncating it, and wrote at its
 * own offsets over the other's): the last to finish wins, whole. Until then, the file keeps its old
 * text; a process killed outright (SIGKILL) leaves what it wrote in `.NAME.<pid>-<hex>.tmp`. Written
 * in place, as before, where writeOutputFile writes in place (not a regular file, hard links, a folder
 * that takes no new files). Rejects with Node's error, naming `file`, when it cannot be written.
 */
export async function openOutputStream(file: string): Promise<OutputStream> {
  const target = lstatOrUndefined(file);
  const inPlace = writesInPlace(file, target);
  let temporary = inPlace ? undefined : temporaryBeside(file);
  let stream: WriteStream;
  try {
    stream = await opened(temporary ?? file, temporary ? "wx" : "w");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A writable file in a folder that takes no new files: written in place, as before.
    if (!temporary || !target || (code !== "EACCES" && code !== "EPERM")) throw new Error((error as Error).message.replace(temporary ?? file, file));
    temporary = undefined;
    stream = await opened(file, "w");
  }
  const ended = () => new Promise<void>((resolve) => (stream.destroyed || stream.writableFinished ? resolve() : stream.end(resolve)));
  return {
    stream,
    async finish() {
      await ended();
      if (temporary) replaceWith(temporary, file, lstatOrUndefined(file) ?? target);
    },
    abandon() {
      stream.destroy();
      if (temporary) rmSync(temporary, { force: true });
    },
  };
}

/** A write stream once its file is open (or its error). */
function opened(path: string, flags: "w" | "wx"): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags });
  return new Promise((resolve, reject) => {
    stream.once("open", () => resolve(stream));
    stream.once("error", reject);
  });
}

/**
 * Creates `folder` and its missing parents, top down, one mkdir each; true when it created any.
 * Not `mkdirSync(folder, { recursive: true })`: Node 20's loops forever when a parent exists but
 * refuses the child with ENOENT (`--out /proc/x/NAME.json` hung the command); one by one, that
 * ENOENT is the error it is. A folder that another writer made between the look and the mkdir
 * (EEXIST, and a folder is there now) is taken as it is. A file where the folder should be is tried
 * too, so its EEXIST names it (the write beside it said only `ENOTDIR: not a directory, open ...`).
 */
function makeFolders(folder: string): boolean {
  const missing: string[] = [];
  for (let path = folder; !existsSync(path); path = dirname(path)) {
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  if (missing.length === 0 && statOrUndefined(folder)?.isDirectory() === false) missing.push(folder);
  let made = false;
  for (const path of missing) {
    try {
      mkdirSync(path);
      made = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !statOrUndefined(path)?.isDirectory()) throw error;
    }
  }
  return made;
}

/** The first path on the way to `folder` that exists but is not a folder. */
function fileOnPath(folder: string): string | undefined {
  for (let path = folder; ; path = dirname(path)) {
    if (statOrUndefined(path)?.isDirectory() === false) return path;
    if (dirname(path) === path) return undefined;
  }
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
