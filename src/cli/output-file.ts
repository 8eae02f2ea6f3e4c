/**
 * Output files named by options (`--out`, `--write-baseline`) are checked before any work is done: a
 * conformance run takes minutes, and a typo in a directory name must not cost them.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

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
