/**
 * `gateway-presence record --listen 127.0.0.1:PORT --upstream ws://... --out FILE.jsonl`: a
 * transparent recording proxy; point a client at the listen address. Runs until SIGINT, SIGTERM or SIGHUP.
 */
import { InvalidArgumentError, type Command } from "commander";
import { redactUrl } from "../../transport/redact.js";
import { startRecordingProxy } from "../../record/proxy.js";
import { gatewayUrl } from "../arguments.js";
import { openOutputStream, type OutputStream } from "../output-file.js";
import { addressProblem } from "../listen-failure.js";
import { exitCodes, usageError } from "../usage.js";

/** `host:port`, `[v6]:port` or a bare port (host 127.0.0.1); a commander option parser (bad value: exit 2). */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected HOST:PORT (e.g. 127.0.0.1:18800), got ${JSON.stringify(value)}`);
  }
  return { host: match[1] || match[2] || "127.0.0.1", port };
}

export function register(program: Command): void {
  exitCodes(program.command("record"), { 0: "stopped by SIGINT, SIGTERM or SIGHUP", 1: "the listen address is in use, or writing the recording failed" })
    .description("record a client's traffic with a gateway through a transparent WebSocket proxy (secrets redacted)")
    .requiredOption("--listen <host:port>", "where the proxy listens (point the client here)", parseListen)
    .requiredOption("--upstream <url>", "the gateway's WebSocket URL", gatewayUrl)
    .requiredOption("--out <file>", "JSON Lines recording to write")
    .option("--keep-signatures", "keep device signatures (one-time, nonce-bound; for signature replay tests)")
    .action(async (flags: { listen: { host: string; port: number }; upstream: string; out: string; keepSignatures?: boolean }, command: Command) => {
      let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
      // Open the output before listening, so an unwritable path fails before any client connects. It is
      // written beside --out and renamed over it when recording stops (output-file.ts): another record
      // run with the same --out cannot mix its lines into this one's.
      let output: OutputStream;
      try {
        output = await openOutputStream(flags.out);
      } catch (error) {
        // Nothing recorded yet: an --out that cannot be written is a usage error (exit 2), as for conform, fixture and report compare.
        usageError(command, `cannot write ${flags.out}: ${(error as Error).message}`);
      }
      const out = output.stream;
      let stop = () => {};
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      out.on("error", (error) => {
        process.stderr.write(`gateway-presence record: cannot write ${flags.out}: ${error.message}\n`);
        process.exitCode = 1;
        stop();
      });
      try {
        proxy = await startRecordingProxy({
          ...flags.listen,
          upstream: flags.upstream,
          write: (line) => out.write(line),
          redact: { keepSignatures: flags.keepSignatures === true },
        });
      } catch (error) {
        // An address that cannot be listened on is named by the flag that gave it (Node's text named neither).
        const problem = addressProblem(error);
        const { host, port } = flags.listen;
        const failure = problem ? `--listen ${host.includes(":") ? `[${host}]` : host}:${port}: ${problem.text}` : (error as Error).message;
        process.stderr.write(`gateway-presence record: ${failure}\n`);
        process.exitCode = 1;
        output.abandon(); // nothing recorded: an earlier recording at --out stays as it was
        return;
      }
      // Before the line that says it records: a signal sent as soon as it is read stops it cleanly. SIGHUP
      // too (its terminal closed): killed by it, the recording stayed in the temporary file, not at --out.
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      process.once("SIGHUP", stop);
      process.stderr.write(`recording ${proxy.url} -> ${redactUrl(flags.upstream)} into ${flags.out} (Ctrl-C to stop)\n`);
      await stopped;
      await proxy.close();
      try {
        await output.finish();
      } catch (error) {
        process.stderr.write(`gateway-presence record: cannot write ${flags.out}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`recorded ${proxy.connections} connection(s) into ${flags.out}\n`);
    });
}
