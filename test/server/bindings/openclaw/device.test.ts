// Device identity on the server side (openclaw binding): real Ed25519 keys, real signatures.
import { createHash, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateNodeDeviceIdentity, nodeDeviceIdentity } from "../../../../src/transport/device-identity-node.js";
import { signDeviceAuth, type DeviceAuthVersion, type DeviceIdentity } from "../../../../src/transport/device-identity.js";
import type { Gateway } from "../../../../src/server/index.js";
import { rowOf } from "../../helpers.js";
import { ocConnectParams, OcClient, startOpenClawGateway, type OcRes } from "./helpers.js";

const TOKEN = "device-test-token";

async function identity(): Promise<DeviceIdentity> {
  return nodeDeviceIdentity(await generateNodeDeviceIdentity());
}

interface Attempt {
  version?: DeviceAuthVersion;
  nonce?: string;
  signedAtMs?: number;
  /** Fields the signature covers that differ from what is sent. */
  signedScopes?: string[];
  signedToken?: string;
  block?: (block: Record<string, unknown>) => Record<string, unknown>;
}

/** A connect whose device block is signed over exactly what it sends (unless the attempt says otherwise). */
async function signedConnect(client: OcClient, id: DeviceIdentity, instanceId: string, a: Attempt = {}): Promise<{ res: OcRes; block: Record<string, unknown> }> {
  const params = ocConnectParams({ instanceId, token: TOKEN, id: "openclaw-macos", mode: "ui", scopes: ["operator.read", "operator.write"] });
  const client_ = params.client as { id: string; mode: string; platform: string; deviceFamily?: string };
  client_.deviceFamily = "Mac";
  const nonce = a.nonce ?? (await client.nonce());
  const signed = await signDeviceAuth(id, a.version ?? "v3", {
    clientId: client_.id,
    clientMode: client_.mode,
    role: "operator",
    scopes: a.signedScopes ?? (params.scopes as string[]),
    signedAtMs: a.signedAtMs ?? Date.now(),
    token: a.signedToken ?? TOKEN,
    nonce,
    platform: client_.platform,
    deviceFamily: client_.deviceFamily,
  });
  const block = a.block ? a.block({ ...signed }) : { ...signed };
  return { res: await client.req("connect", { ...params, device: block }), block };
}

async function refused(gw: Gateway, res: OcRes, client: OcClient, detailCode: string, message: string): Promise<void> {
  expect(res).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", message, details: { code: detailCode } } });
  expect((await client.closed).code).toBe(1008);
  const rows = await gw.store.list();
  expect(rows.filter((r) => r.reason !== "self")).toEqual([]);
}

describe("openclaw binding: device identity", () => {
  it("accepts v3 and v2 signatures over this connection's nonce; rows stay keyed by instanceId, not device id", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const id = await identity();
    for (const version of ["v3", "v2"] as const) {
      const client = await OcClient.open(gw.url);
      const { res } = await signedConnect(client, id, `mac-${version}`, { version });
      expect(res.ok, JSON.stringify(res.error)).toBe(true);
      const row = rowOf((res.payload as { snapshot: { presence: [] } }).snapshot.presence, `mac-${version}`);
      expect(row).toMatchObject({ instanceId: `mac-${version}`, host: "openclaw-macos" });
      expect(JSON.stringify(row)).not.toContain(id.deviceId);
    }
  });

  it("accepts the public key as PEM too (OpenClaw does)", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const id = await identity();
    const raw = Buffer.from(id.publicKey, "base64url");
    const pem = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" }).export({ format: "pem", type: "spki" }).toString();
    const client = await OcClient.open(gw.url);
    const { res } = await signedConnect(client, id, "pem", { block: (b) => ({ ...b, publicKey: pem }) });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
  });

  it("refuses a device id that is not the sha256 of the key", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const client = await OcClient.open(gw.url);
    const { res } = await signedConnect(client, await identity(), "x", { block: (b) => ({ ...b, id: "0".repeat(64) }) });
    await refused(gw, res, client, "DEVICE_AUTH_DEVICE_ID_MISMATCH", "device identity mismatch");
  });

  it("refuses a signature made over two minutes ago", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const client = await OcClient.open(gw.url);
    const { res } = await signedConnect(client, await identity(), "x", { signedAtMs: Date.now() - 150_000 });
    await refused(gw, res, client, "DEVICE_AUTH_SIGNATURE_EXPIRED", "device signature expired");
  });

  it("refuses a blank nonce, and a nonce of another connection's challenge", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const id = await identity();
    const blank = await OcClient.open(gw.url);
    await blank.nonce();
    const { res: r1 } = await signedConnect(blank, id, "x", { nonce: " " });
    await refused(gw, r1, blank, "DEVICE_AUTH_NONCE_REQUIRED", "device nonce required");

    const other = await OcClient.open(gw.url);
    const foreign = await other.nonce();
    const client = await OcClient.open(gw.url);
    await client.nonce();
    const { res: r2 } = await signedConnect(client, id, "x", { nonce: foreign });
    await refused(gw, r2, client, "DEVICE_AUTH_NONCE_MISMATCH", "device nonce mismatch");
  });

  it("refuses a replay: a block accepted on one connection is refused on the next", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const id = await identity();
    const first = await OcClient.open(gw.url);
    const { res, block } = await signedConnect(first, id, "replayed");
    expect(res.ok).toBe(true);
    const second = await OcClient.open(gw.url);
    await second.nonce();
    const params = ocConnectParams({ instanceId: "replayed", token: TOKEN, id: "openclaw-macos", mode: "ui", scopes: ["operator.read", "operator.write"] });
    (params.client as Record<string, unknown>).deviceFamily = "Mac";
    const again = await second.req("connect", { ...params, device: block });
    expect(again.error).toMatchObject({ message: "device nonce mismatch", details: { code: "DEVICE_AUTH_NONCE_MISMATCH", reason: "device-nonce-mismatch" } });
    expect((await second.closed).code).toBe(1008);
  });

  it("refuses a signature that does not cover what is sent (scopes, token)", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const id = await identity();
    const wider = await OcClient.open(gw.url);
    const { res: r1 } = await signedConnect(wider, id, "x", { signedScopes: ["operator.read"] });
    await refused(gw, r1, wider, "DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid");
    const otherToken = await OcClient.open(gw.url);
    const { res: r2 } = await signedConnect(otherToken, id, "x", { signedToken: "another" });
    await refused(gw, r2, otherToken, "DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid");
  });

  it("hostile values in the block: refused as what they are, no internal error, nothing logged of the signature", async () => {
    const lines: string[] = [];
    const gw = await startOpenClawGateway({ token: TOKEN, logger: (l) => lines.push(l) });
    const id = await identity();
    const invalidPoint = Buffer.alloc(32, 0xff);
    const cases: Array<[Attempt["block"], RegExp]> = [
      [(b) => ({ ...b, signedAt: null }), /at \/device: signedAt must be an integer >= 0/],
      [(b) => ({ ...b, signedAt: (b.signedAt as number) + 0.5 }), /at \/device: signedAt must be an integer >= 0/],
      [(b) => ({ ...b, signedAt: 2 ** 53 + 2 }), /device signature expired/],
      [(b) => ({ ...b, signedAt: -0 }), /device signature expired/],
      [(b) => ({ ...b, nonce: 5 }), /at \/device: nonce must be a string/],
      [(b) => ({ ...b, signature: "!".repeat(300_000) }), /device signature invalid/],
      [(b) => ({ ...b, publicKey: invalidPoint.toString("base64url"), id: createHash("sha256").update(invalidPoint).digest("hex") }), /device signature invalid/],
      [(b) => ({ ...b, publicKey: "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----" }), /device identity mismatch/],
      [(b) => JSON.parse(JSON.stringify(b).replace("{", '{"__proto__":{"id":"x"},')) as Record<string, unknown>, /at \/device: unexpected property '__proto__'/],
    ];
    for (const [block, message] of cases) {
      const client = await OcClient.open(gw.url);
      const { res, block: sent } = await signedConnect(client, id, "x", { block });
      expect(res.ok, JSON.stringify(sent).slice(0, 100)).toBe(false);
      expect(res.error!.message).toMatch(message);
      client.ws.terminate();
    }
    expect(lines.filter((l) => l.startsWith("error"))).toEqual([]);
    expect((await gw.store.list()).filter((r) => r.reason !== "self")).toEqual([]);
  });

  it("refuses a malformed device block as invalid connect params", async () => {
    const gw = await startOpenClawGateway({ token: TOKEN });
    const client = await OcClient.open(gw.url);
    const { res } = await signedConnect(client, await identity(), "x", { block: (b) => ({ ...b, extra: 1 }) });
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: "invalid connect params: at /device: unexpected property 'extra'" });
  });
});
