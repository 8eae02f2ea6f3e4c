// Any client with write scope sets any row's fields (SPEC K2) to strings the schema allows, escape
// sequences included; `list`, `watch` and `doctor` print them on an operator's terminal. Found by
// writing such a beacon to the reference gateway and running the CLI: the ESC sequences (window
// title, clear screen, concealed text, OSC 52 clipboard) reached stdout as they were. Real gateway,
// real sockets, the CLI as a process.
import { afterEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { printable } from "../../src/validation/printable.js";
import { connectParamsOf, requestFrame, Wire } from "../server/hardening/wire.js";
import { startScriptedGateway, waitFor } from "../client/scripted-gateway.js";
import { cli } from "../support/cli.js";
import { scaled } from "../support/timing.js";

const HOSTILE = {
  instanceId: "victim\u200b",
  host: "evil\x1b]0;TITLE\x07\x1b[2J\x1b[8mhidden",
  mode: "ui\x1b]52;c;ZWNobyBwd25lZA==\x07",
  version: "1.0\u202e2.0",
  reason: "periodic\x9b31m",
  text: "\x1b[31mred",
};
/** ESC, BEL, CSI (C1), RLO, ZWSP: none may reach the terminal as such. */
// eslint-disable-next-line no-control-regex
const RAW = /[\x07\x1b\x9b\u202e\u200b]/;

describe("a row's control characters never reach the terminal", () => {
  let gw: Gateway | undefined;
  let writer: Wire | undefined;
  afterEach(async () => {
    writer?.terminate();
    await gw?.close();
  });

  async function gatewayWithHostileRow(): Promise<Gateway> {
    gw = await createGateway({ host: "127.0.0.1", port: 0, logger: () => {} });
    writer = await Wire.open(gw, "jsonrpc");
    expect(await writer.answerTo(requestFrame("jsonrpc", 1, "connect", connectParamsOf("jsonrpc", "writer")))).toContain("hello-ok");
    expect(await writer.answerTo(requestFrame("jsonrpc", 2, "system-event", HOSTILE))).toContain('"ok":true');
    return gw;
  }

  it("list's table and doctor's report show them escaped; list --json keeps the values", async () => {
    const { url } = await gatewayWithHostileRow();
    const list = cli(["list", "--url", url]);
    expect(await list.exit).toBe(0);
    expect(list.stdout()).not.toMatch(RAW);
    const row = list.stdout().split("\n").find((l) => l.includes("evil"))!;
    expect(row).toContain("evil\\x1b]0;TITLE\\x07\\x1b[2J\\x1b[8mhidden");
    expect(row).toContain("ui\\x1b]52;c;ZWNobyBwd25lZA==\\x07");
    expect(row).toContain("1.0\\u202e2.0");
    expect(row).toContain("periodic\\x9b31m");

    const json = cli(["list", "--url", url, "--json"]);
    expect(await json.exit).toBe(0);
    expect((JSON.parse(json.stdout()) as Array<Record<string, unknown>>).find((e) => e.instanceId === HOSTILE.instanceId)).toMatchObject(HOSTILE);

    const doctor = cli(["doctor", "--url", url]);
    await doctor.exit;
    expect(doctor.stdout()).toContain(`, ${printable(HOSTILE.mode)} 1`);
    expect(doctor.stdout() + doctor.stderr()).not.toMatch(RAW);
  });

  it("watch's table shows them escaped", async () => {
    const { url } = await gatewayWithHostileRow();
    const run = cli(["watch", "--url", url]);
    await waitFor(() => run.stdout().includes("evil"), "watch's table", scaled(15_000));
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain("evil\\x1b]0;TITLE\\x07");
    expect(run.stdout()).not.toMatch(RAW);
  });
});

describe("a gateway's error message never reaches the terminal as it is", () => {
  it("list and doctor show its escape sequences escaped on stderr", async () => {
    const gw = await startScriptedGateway();
    try {
      gw.handlers.connect = () => ({ error: { code: -32002, message: "unauthorized\x1b]0;TITLE\x07\x1b[2J\u202e", data: { code: "UNAUTHORIZED" } } });
      for (const [command, code] of [["list", 1], ["doctor", 2]] as const) {
        const run = cli([command, "--url", gw.url]);
        expect(await run.exit).toBe(code);
        expect(run.stderr()).toContain("unauthorized\\x1b]0;TITLE\\x07\\x1b[2J\\u202e");
        expect(run.stderr()).not.toMatch(RAW);
      }
    } finally {
      await gw.close();
    }
  });
});

describe("a gateway's close reason never reaches the terminal as it is", () => {
  it("watch's state line shows its escape sequences escaped", async () => {
    const gw = await startScriptedGateway();
    try {
      gw.onConnection = (socket) => setTimeout(() => socket.close(4000, "bye\x1b]0;TITLE\x07\x1b[2J"), 100);
      const run = cli(["watch", "--url", gw.url]);
      await waitFor(() => run.stdout().includes("bye\\x1b]0;TITLE\\x07\\x1b[2J"), "the close reason in a state line", scaled(15_000));
      run.child.kill("SIGINT");
      await run.exit;
      expect(run.stdout() + run.stderr()).not.toMatch(RAW);
    } finally {
      await gw.close();
    }
  });
});

describe("printable", () => {
  it("escapes controls, bidi and zero-width characters, turns line breaks into spaces, keeps the rest", () => {
    expect(printable("a\x1b[2Jb\x00c\x7f\x85\u202e\u2066\u200b\u200d\u2060\ufeff\u061c")).toBe(
      "a\\x1b[2Jb\\x00c\\x7f\\x85\\u202e\\u2066\\u200b\\u200d\\u2060\\ufeff\\u061c",
    );
    expect(printable("one\ntwo\r\nthree\tfour\u2028five")).toBe("one two  three four five");
    expect(printable("Straße İstanbul 東京 🙂 e\u0301")).toBe("Straße İstanbul 東京 🙂 e\u0301");
  });
});
