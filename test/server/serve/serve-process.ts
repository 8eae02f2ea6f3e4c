/** `gateway-presence serve` as a child process (test/support/cli.ts: killed after each test); its URLs read from its log. */
import { cli, type CliRun } from "../../support/cli.js";
import { scaled } from "../../support/timing.js";

export type Serve = CliRun;

export function serve(args: string[]): Serve {
  return cli(["serve", ...args]);
}

/** Every `listening ws://... BINDING` line, once `count` of them are printed. */
export async function listenersOf(s: Serve, count = 1): Promise<Array<{ url: string; binding: string }>> {
  const deadline = Date.now() + scaled(15_000); // a CLI child's start: seconds on a busy machine
  for (;;) {
    const found = [...s.stdout().matchAll(/listening (ws:\/\/\S+) (\w+)/g)].map((m) => ({ url: m[1]!, binding: m[2]! }));
    if (found.length >= count) return found;
    if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`no URL; stdout=${s.stdout()} stderr=${s.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function urlOf(s: Serve): Promise<string> {
  return (await listenersOf(s))[0]!.url;
}
