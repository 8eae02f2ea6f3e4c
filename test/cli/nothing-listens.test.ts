// A URL where nothing listens (ECONNREFUSED): list, doctor and watch say it in conform's words
// ("connection refused: nothing listens there") and how to start a gateway, one shared text
// (src/client/errors.ts NOTHING_LISTENS, START_A_GATEWAY); exit codes as before (list 1, doctor 2,
// watch 1 after --timeout-ms). Real processes against a loopback port nobody listens on.
import { describe, expect, it } from "vitest";
const NOTHING_LISTENS = "connection refused: nothing listens there", START_A_GATEWAY = "is a gateway running there? `gateway-presence serve` starts one";
import { cli, cliResult } from "../support/cli.js";
import { closedPort } from "../support/ports.js";

const HINT = "(connection refused: nothing listens there; is a gateway running there? `gateway-presence serve` starts one)";

describe("a gateway URL where nothing listens", () => {
  it("the shared words are conform's, with how to start a gateway", () => {
    expect(`(${NOTHING_LISTENS}; ${START_A_GATEWAY})`).toBe(HINT);
  });

  it("list, doctor and watch say nothing listens there and how to start a gateway; exit codes unchanged", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const watchTable = cli(["watch", "--url", url, "--timeout-ms", "1500"]);
    const [list, doctor, watchJson] = await Promise.all([
      cliResult(["list", "--url", url, "--timeout-ms", "3000"]),
      cliResult(["doctor", "--url", url, "--timeout-ms", "3000"]),
      cliResult(["watch", "--json", "--url", url, "--timeout-ms", "1500"]),
    ]);
    expect(list.stderr).toBe(`gateway-presence list: cannot reach the gateway at ${url}: ECONNREFUSED ${HINT}\n`);
    expect(list.code).toBe(1);
    expect(doctor.stderr).toBe(`gateway-presence doctor: cannot reach the gateway at ${url}: ECONNREFUSED ${HINT}\n`);
    expect(doctor.code).toBe(2);
    const final = `cannot reach the gateway at ${url}: ECONNREFUSED ${HINT}; stopped retrying after --timeout-ms 1500 with no list`;
    expect(watchJson.stderr).toBe(`gateway-presence watch: ${final}\n`);
    expect(watchJson.code).toBe(1);
    // --json's reconnecting states keep the client's reason as it was; the closed state says the final line.
    const states = watchJson.stdout.trim().split("\n").map((line) => JSON.parse(line) as { state: string; reason?: string });
    expect(states.find((s) => s.state === "reconnecting")?.reason).toBe(`cannot open ${url}: ECONNREFUSED`);
    expect(states.at(-1)).toMatchObject({ state: "closed", reason: final });
    // The table: each failed attempt's line, then the hint under it.
    expect(await watchTable.exit).toBe(1);
    const lines = watchTable.stdout().split("\n");
    const at = lines.findIndex((line) => /^○ reconnecting to .* \(attempt 1\): ECONNREFUSED$/.test(line));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(`  ${HINT.slice(1, -1)}`);
  });
});
