/** `gateway-presence serve`: runs the reference gateway until SIGINT or SIGTERM. */
import type { Command } from "commander";
import { integer } from "../arguments.js";
import { addTokenOptions, resolveToken, TOKEN_ENV, type TokenFlags } from "../token.js";
import { createGateway, GATEWAY_DEFAULTS, isLoopbackAddress, type GatewayOptions } from "../../server/index.js";

interface ServeFlags extends TokenFlags {
  host: string;
  port: number;
  ttlMs?: number;
  maxEntries?: number;
  testClock?: boolean;
  insecureNoAuth?: boolean;
  trustedProxy: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function line(text: string): void {
  process.stdout.write(`${new Date().toISOString()} ${text}\n`);
}

export function register(program: Command): void {
  const command = program
    .command("serve")
    .description("Run the reference gateway (JSON-RPC over WebSocket); stops cleanly on SIGINT/SIGTERM")
    .option("--host <host>", "address to listen on", GATEWAY_DEFAULTS.host)
    .option("--port <port>", "port to listen on (0 = any free port)", integer(0, 65535), GATEWAY_DEFAULTS.port);
  addTokenOptions(command, `token clients must send as auth.token (default: $${TOKEN_ENV})`)
    .option("--ttl-ms <ms>", `row lifetime in ms (default ${GATEWAY_DEFAULTS.ttlMs})`, integer(1))
    .option("--max-entries <n>", `most rows, self included (default ${GATEWAY_DEFAULTS.maxEntries})`, integer(1))
    .option("--test-clock", "test mode: offer test.clock.advance (never in production)")
    .option("--trusted-proxy <address>", "believe X-Forwarded-For from this address or CIDR (repeatable)", collect, [])
    .option("--insecure-no-auth", "allow listening on a non-loopback address without a token")
    .action(async (flags: ServeFlags) => {
      let token: string | undefined;
      try {
        token = resolveToken(flags, process.env, (warning) => process.stderr.write(`gateway-presence serve: ${warning}\n`));
      } catch (error) {
        process.stderr.write(`gateway-presence serve: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const options: GatewayOptions = {
        host: flags.host,
        port: flags.port,
        token,
        ttlMs: flags.ttlMs,
        maxEntries: flags.maxEntries,
        testClock: flags.testClock === true,
        insecureNoAuth: flags.insecureNoAuth === true,
        trustedProxies: flags.trustedProxy,
        logger: line,
      };
      let gateway;
      try {
        gateway = await createGateway(options);
      } catch (error) {
        process.stderr.write(`gateway-presence serve: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
        return;
      }
      const gw = gateway;
      line(`listening ${gw.url}${options.token ? " (token required)" : ""}${options.testClock ? " (test clock)" : ""}`);
      if (options.token === undefined && !isLoopbackAddress(flags.host)) line("warning: no token on a non-loopback address (--insecure-no-auth)");
      const stop = (signal: string) => {
        line(`${signal}: stopping`);
        gw.close().then(
          () => line("stopped"),
          (error: unknown) => {
            process.stderr.write(`gateway-presence serve: close failed: ${String(error)}\n`);
            process.exitCode = 1;
          },
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
}
