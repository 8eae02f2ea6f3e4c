// The gateway refuses a request id that would not come back unchanged (1e400 -> Infinity -> null,
// 9007199254740993 -> ...992, -0 -> 0), or whose numeral JSON.parse changes (1e-400 -> 0,
// 1.00000000000000001 -> 1), with -32600 and the path /id, and a batch whose ids repeat
// runs none of its entries (docs/gateway.md, "Batches").
import { describe, expect, it } from "vitest";
import { validate } from "../../../src/validation/index.js";
import { connectClient, list, peers, rowOf, startGateway, WireClient, type RpcResponse } from "../helpers.js";

/** Sends raw text and returns the next answer, parsed from its raw text too (to see the id as sent). */
async function rawAnswer(client: WireClient, text: string): Promise<{ text: string; answer: any }> {
  const texts: string[] = [];
  const got = new Promise<void>((resolve) => client.ws.once("message", (data) => (texts.push(String(data)), resolve())));
  client.sendRaw(text);
  await got;
  return { text: texts[0]!, answer: JSON.parse(texts[0]!) };
}

describe("request ids that do not survive a JSON round trip", () => {
  it.each([
    ["1e400", /finite number/],
    ["-1e400", /finite number/],
    ["9007199254740993", /2\^53/],
    ["-9007199254740993", /2\^53/],
    ["1e21", /2\^53/],
    ["-0", /-0/],
  ])("id %s after connect: INVALID_REQUEST, id null, data.errors at /id, nothing runs", async (id, why) => {
    const gw = await startGateway();
    const { client } = await connectClient(gw);
    const { answer } = await rawAnswer(client, `{"jsonrpc":"2.0","id":${id},"method":"system-presence"}`);
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, data: { code: "INVALID_REQUEST" } } });
    expect(answer.result).toBeUndefined();
    expect(answer.error.data.errors).toEqual([{ path: "/id", message: expect.stringMatching(why), keyword: "format" }]);
    expect(validate("ErrorData", answer.error.data).ok).toBe(true);
    // A beacon with such an id writes nothing either.
    const beacon = await rawAnswer(client, `{"jsonrpc":"2.0","id":${id},"method":"system-event","params":{"instanceId":"never-${id}","text":"x"}}`);
    expect(beacon.answer.error.code).toBe(-32600);
    expect(rowOf(await list(client), `never-${id}`)).toBeUndefined();
  });

  it.each([
    ["1e-400", "0"],
    ["1.00000000000000001", "1"],
    ["0.1e-99999", "0"],
  ])("id %s (JSON reads %s, an answer the client could not match): INVALID_REQUEST, id null, /id names the numeral; in a batch too", async (numeral, read) => {
    const gw = await startGateway();
    const { client } = await connectClient(gw);
    const { answer } = await rawAnswer(client, `{"jsonrpc":"2.0","id":${numeral},"method":"system-event","params":{"instanceId":"never-numeral","text":"x"}}`);
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, data: { code: "INVALID_REQUEST" } } });
    expect(answer.error.data.errors).toEqual([{ path: "/id", message: expect.stringContaining(`is written ${numeral}, which JSON reads as ${read}`), keyword: "format" }]);
    expect(validate("ErrorData", answer.error.data).ok).toBe(true);
    expect(rowOf(await list(client), "never-numeral")).toBeUndefined();
    // A nested "id" written exactly does not hide it; the batch's other entry runs.
    const batch = await rawAnswer(client, `[{"jsonrpc":"2.0","id":2,"method":"system-presence"},{"jsonrpc":"2.0","method":"system-presence","params":{"id":1},"id":${numeral}}]`);
    expect(batch.answer).toMatchObject([{ id: 2, result: expect.any(Array) }, { id: null, error: { code: -32600, data: { errors: [{ path: "/id" }] } } }]);
  });

  it("an id written differently but exactly (1.50, 15e-1, 1.0) is kept and answered with the number it denotes", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw);
    for (const [numeral, written] of [["1.50", "1.5"], ["15e-1", "1.5"], ["1.0", "1"], ["7", "7"]]) {
      const { text } = await rawAnswer(client, `{"jsonrpc":"2.0","id":${numeral},"method":"system-presence"}`);
      expect(text.startsWith(`{"jsonrpc":"2.0","id":${written},"result":[`), text.slice(0, 80)).toBe(true);
    }
  });

  it("the largest safe integers, strings and fractions are echoed exactly", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw);
    for (const id of ["9007199254740991", "-9007199254740991", "0", "1.5", '"9007199254740993"']) {
      const { text } = await rawAnswer(client, `{"jsonrpc":"2.0","id":${id},"method":"system-presence"}`);
      expect(text.startsWith(`{"jsonrpc":"2.0","id":${id},"result":[`), text.slice(0, 80)).toBe(true);
    }
  });

  it("is refused before connect too (the envelope comes first), and inside a batch entry by entry", async () => {
    const gw = await startGateway();
    const early = await WireClient.open(gw.url);
    const { answer } = await rawAnswer(early, `{"jsonrpc":"2.0","id":1e400,"method":"connect","params":{}}`);
    expect(answer.error).toMatchObject({ code: -32600, data: { errors: [{ path: "/id" }] } });
    const { client } = await connectClient(gw);
    const batch = await rawAnswer(client, `[{"jsonrpc":"2.0","id":1e400,"method":"system-presence"},{"jsonrpc":"2.0","id":2,"method":"system-presence"}]`);
    expect(batch.answer).toHaveLength(2);
    expect(batch.answer[0]).toMatchObject({ id: null, error: { code: -32600 } });
    expect(batch.answer[1]).toMatchObject({ id: 2, result: expect.any(Array) });
  });
});

describe("batches whose ids repeat", () => {
  it("the batch from the issue: no entry runs, each answered INVALID_REQUEST naming the repeated id", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw);
    const { answer } = await rawAnswer(
      client,
      `[{"jsonrpc":"2.0","id":9,"method":"system-presence"},{"jsonrpc":"2.0","id":9,"method":"system-event","params":{"instanceId":"dup-1","text":"t"}}]`,
    );
    expect(answer).toHaveLength(2);
    for (const entry of answer as RpcResponse[]) {
      expect(entry).toMatchObject({ id: 9, error: { code: -32600, data: { code: "INVALID_REQUEST", errors: [{ path: "/id", keyword: "uniqueItems" }] } } });
      expect(entry.error!.message).toMatch(/ids must be unique within a batch \(id 9 at entries 0, 1\): no entry of this batch was run/);
    }
    expect(rowOf(await list(client), "dup-1")).toBeUndefined();
  });

  it("the other entries of such a batch do not run either (notifications included); 9 and \"9\" are different ids", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw);
    const { answer } = await rawAnswer(
      client,
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "system-event", params: { instanceId: "dup-a" } },
        { jsonrpc: "2.0", method: "system-event", params: { instanceId: "dup-notification" } },
        { jsonrpc: "2.0", id: null, method: "system-presence" },
        { jsonrpc: "2.0", id: null, method: "system-presence" },
        { jsonrpc: "2.0", id: "bad", method: "" },
      ]),
    );
    const pathOf = (e: RpcResponse) => (e.error?.data?.errors as Array<{ path: string }> | undefined)?.[0]?.path;
    expect(answer.map((e: RpcResponse) => [e.id, pathOf(e)])).toEqual([
      ["a", ""],
      [null, "/id"],
      [null, "/id"],
      ["bad", "/method"],
    ]);
    expect(peers(await list(client)).filter((r) => r.instanceId?.startsWith("dup-"))).toEqual([]);
    const distinct = await rawAnswer(client, `[{"jsonrpc":"2.0","id":9,"method":"system-presence"},{"jsonrpc":"2.0","id":"9","method":"system-event","params":{"instanceId":"dup-ok"}}]`);
    expect(distinct.answer.map((e: RpcResponse) => [e.id, "result" in e])).toEqual([
      [9, true],
      ["9", true],
    ]);
  });
});
