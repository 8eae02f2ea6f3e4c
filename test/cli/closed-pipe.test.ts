// `gateway-presence watch | head -3`: when the reader of its output goes away, the command stops
// quietly (exit 0) instead of crashing on EPIPE with a stack trace. Real process, real gateway.
import { describe, expect, it } from "vitest";
import { connectParams, startGateway, WireClient } from "../server/helpers.js";
import { cli } from "../support/cli.js";

describe("a closed output pipe", () => {
  it("stops watch quietly once its reader has gone", async () => {
    const gw = await startGateway();
    // Settles on exit: this test destroys the stdout pipe itself.
    const run = cli(["watch", "--url", gw.url, "--resync-ms", "1000"], { settle: "exit" });
    // Like `head`: read the first output, then close the pipe's reading end.
    await new Promise<void>((resolve) => run.child.stdout.once("data", () => resolve()));
    run.child.stdout.destroy();
    // Off a terminal watch writes only when the list changes (not at every re-read): a client
    // connects, so the next write finds the pipe closed.
    const client = await WireClient.open(gw.url);
    await client.result("connect", connectParams({ instanceId: "after-head" }));
    const code = await Promise.race([run.exit, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 10_000))]);
    expect(run.stderr()).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
    await client.close();
  });
});
