// Device identity: the payload format proven against signatures real clients made for real
// OpenClaw gateways (recorded), plus key generation, signing and persistence in Node and WebCrypto.
import { createHash, createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildDeviceAuthPayload,
  memoryDeviceIdentityStore,
  normalizeDeviceMetadata,
  signDeviceAuth,
  type DeviceAuthVersion,
} from "../../src/transport/device-identity.js";
import { fileDeviceIdentityStore, generateNodeDeviceIdentity, loadOrCreateNodeDeviceIdentity, nodeDeviceIdentity } from "../../src/transport/device-identity-node.js";
import { generateWebDeviceIdentity, localStorageDeviceIdentityStore, webDeviceIdentity } from "../../src/transport/device-identity-web.js";
import { readHandshakes } from "./handshakes.js";
import { allRecordedLines, noShared, peerToken } from "./recordings.js";

function verifySignature(publicKey: string, payload: string, signature: string): boolean {
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
  return verify(null, Buffer.from(payload, "utf8"), key, Buffer.from(signature, "base64url"));
}

describe("recorded device blocks", () => {
  const connects = allRecordedLines().filter((l) => l.dir === "send" && l.frame?.method === "connect" && l.frame.params.device);

  it("covers signed connects of both releases", () => {
    expect(new Set(connects.map((l) => l.release))).toEqual(new Set(["openclaw-2026.1.30", "openclaw-2026.9.6"]));
    expect(connects.length).toBeGreaterThanOrEqual(6);
  });

  it("each recorded device id is the sha256 hex of its raw public key", () => {
    for (const line of connects) {
      const { device } = line.frame!.params;
      expect(createHash("sha256").update(Buffer.from(device.publicKey, "base64url")).digest("hex")).toBe(device.id);
    }
  });

  it("each recorded device block signs the nonce of its own connection's connect.challenge", () => {
    const lines = allRecordedLines();
    for (const line of connects) {
      const challenge = lines.find((l) => l.file === line.file && l.conn === line.conn && l.frame?.event === "connect.challenge");
      expect(line.frame!.params.device.nonce, `${line.file} ${line.conn}`).toBe(challenge!.frame!.payload.nonce);
    }
  });
});

// The signatures in ../shared/recordings were made over a token other than the peers' shared one
// (no v1/v2/v3 payload with it, or with an empty token, verifies), so the signature replay runs on
// handshakes we recorded ourselves through `gateway-presence record` (test/interop/handshakes/),
// where the real gateways accepted the signature.
describe.skipIf(!peerToken())(`recorded handshakes: our device signatures, accepted by real OpenClaw gateways${peerToken() ? "" : noShared("peers")}`, () => {
  const token = peerToken()!;
  const handshakes = readHandshakes();

  function payloadFor(params: Record<string, any>, version: DeviceAuthVersion, tokenUsed: string): string {
    return buildDeviceAuthPayload(version, {
      deviceId: params.device.id,
      clientId: params.client.id,
      clientMode: params.client.mode,
      role: params.role ?? "operator",
      scopes: params.scopes ?? [],
      signedAtMs: params.device.signedAt,
      token: tokenUsed,
      nonce: params.device.nonce,
      platform: params.client.platform,
      deviceFamily: params.client.deviceFamily,
    });
  }

  it("covers both releases and both payload versions", () => {
    expect(new Set(handshakes.map((h) => `${h.release} ${h.version}`))).toEqual(
      new Set(["2026.1.30 v2", "2026.9.6 v2", "2026.9.6 v3"]),
    );
  });

  it("each signature verifies over the payload this SDK builds, and the gateway granted the scopes", () => {
    for (const h of handshakes) {
      const { params } = h.connect;
      expect(createHash("sha256").update(Buffer.from(params.device.publicKey, "base64url")).digest("hex")).toBe(params.device.id);
      expect(verifySignature(params.device.publicKey, payloadFor(params, h.version, token), params.device.signature), `${h.file}`).toBe(true);
      expect(params.device.nonce).toBe(h.challenge.payload.nonce);
      expect(h.answer.ok, h.file).toBe(true);
      if (h.release === "2026.9.6") expect(h.answer.payload.auth.scopes).toEqual(params.scopes);
    }
  });

  it("the token, scopes and nonce are bound: changing any one breaks the signature", () => {
    const { params } = handshakes[0]!.connect;
    const version = handshakes[0]!.version;
    expect(verifySignature(params.device.publicKey, payloadFor(params, version, "other-token"), params.device.signature)).toBe(false);
    const widened = { ...params, scopes: [...(params.scopes ?? []), "operator.admin"] };
    expect(verifySignature(params.device.publicKey, payloadFor(widened, version, token), params.device.signature)).toBe(false);
    const renonced = { ...params, device: { ...params.device, nonce: "00000000-0000-0000-0000-000000000000" } };
    expect(verifySignature(params.device.publicKey, payloadFor(renonced, version, token), params.device.signature)).toBe(false);
  });
});

describe("device-auth payloads", () => {
  const fields = {
    deviceId: "d",
    clientId: "webchat-ui",
    clientMode: "webchat",
    role: "operator",
    scopes: ["operator.read", "operator.write"],
    signedAtMs: 1700000000000,
    token: "t",
    nonce: "n",
    platform: " MacOS 15 ",
    deviceFamily: "Mac",
  };
  it("v2 and v3 have the documented field order", () => {
    expect(buildDeviceAuthPayload("v2", fields)).toBe("v2|d|webchat-ui|webchat|operator|operator.read,operator.write|1700000000000|t|n");
    expect(buildDeviceAuthPayload("v3", fields)).toBe("v3|d|webchat-ui|webchat|operator|operator.read,operator.write|1700000000000|t|n|macos 15|mac");
    expect(buildDeviceAuthPayload("v3", { ...fields, token: null, platform: undefined, deviceFamily: null })).toBe(
      "v3|d|webchat-ui|webchat|operator|operator.read,operator.write|1700000000000||n||",
    );
  });
  it("metadata lower-casing touches ASCII letters only, like OpenClaw's", () => {
    expect(normalizeDeviceMetadata("  ÄBC Linux ")).toBe("Äbc linux");
    expect(normalizeDeviceMetadata(undefined)).toBe("");
  });
});

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("Node and WebCrypto identities", () => {
  it.each([
    ["node:crypto", generateNodeDeviceIdentity, nodeDeviceIdentity],
    ["WebCrypto", generateWebDeviceIdentity, webDeviceIdentity],
  ] as const)("%s: id is sha256 of the raw key, signatures verify with node:crypto", async (_name, generate, load) => {
    const stored = await generate();
    expect(stored.deviceId).toBe(createHash("sha256").update(Buffer.from(stored.publicKey, "base64url")).digest("hex"));
    const identity = await load(stored);
    const block = await signDeviceAuth(identity, "v3", { clientId: "test", clientMode: "test", role: "operator", scopes: [], signedAtMs: 5, nonce: "abc", token: "tok" });
    const payload = buildDeviceAuthPayload("v3", { clientId: "test", clientMode: "test", role: "operator", scopes: [], signedAtMs: 5, nonce: "abc", token: "tok", deviceId: stored.deviceId });
    expect(block).toMatchObject({ id: stored.deviceId, publicKey: stored.publicKey, signedAt: 5, nonce: "abc" });
    expect(verifySignature(stored.publicKey, payload, block.signature)).toBe(true);
  });

  it("keys made by one implementation sign identically-verifiable payloads in the other", async () => {
    const stored = await generateNodeDeviceIdentity();
    const web = await webDeviceIdentity(stored);
    expect(verifySignature(stored.publicKey, "hello", await web.sign("hello"))).toBe(true);
  });

  it("the file store persists one identity across loads, with mode 0600", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gp-device-"));
    dirs.push(dir);
    const path = join(dir, "nested", "device-identity.json");
    const first = await loadOrCreateNodeDeviceIdentity(fileDeviceIdentityStore(path));
    const second = await loadOrCreateNodeDeviceIdentity(fileDeviceIdentityStore(path));
    expect(second.deviceId).toBe(first.deviceId);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ version: 1, deviceId: first.deviceId });
  });

  it("a tampered or foreign identity file is refused with the reason and the path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gp-device-"));
    dirs.push(dir);
    const path = join(dir, "id.json");
    const a = await generateNodeDeviceIdentity();
    const b = await generateNodeDeviceIdentity();
    await writeFile(path, JSON.stringify({ ...a, deviceId: b.deviceId }));
    await expect(fileDeviceIdentityStore(path).load()).rejects.toThrow(`${path}: stored device identity: deviceId does not match publicKey`);
    await writeFile(path, JSON.stringify({ ...a, privateKeyPkcs8: b.privateKeyPkcs8 }));
    await expect(nodeDeviceIdentity((await fileDeviceIdentityStore(path).load())!)).rejects.toThrow("privateKeyPkcs8 does not belong to publicKey");
    await writeFile(path, "{}");
    await expect(fileDeviceIdentityStore(path).load()).rejects.toThrow("unsupported version");
  });

  it("a stored identity that is not JSON is refused without quoting its text: the private key is in it", async () => {
    // V8's JSON.parse message quotes the text around an unexpected token (`..."KeyPkcs8":IGmPH2SsU_"...`):
    // before, a hand-edited file with the key unquoted put part of the key in the CLI's error line.
    const dir = await mkdtemp(join(tmpdir(), "gp-device-"));
    dirs.push(dir);
    const path = join(dir, "id.json");
    const a = await generateNodeDeviceIdentity();
    const secret = a.privateKeyPkcs8.slice(24); // past PKCS#8's constant Ed25519 header
    const garbled = [
      JSON.stringify(a).replace(`"${a.privateKeyPkcs8}"`, secret),
      JSON.stringify(a).replace(`"${a.privateKeyPkcs8}"`, `'${a.privateKeyPkcs8}'`),
      `x${JSON.stringify(a)}`,
    ];
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    for (const text of garbled) {
      await writeFile(path, text);
      map.set("id", text);
      for (const load of [() => fileDeviceIdentityStore(path).load(), () => localStorageDeviceIdentityStore(storage, "id").load()]) {
        const message = await load().then(
          () => "loaded",
          (error: Error) => error.message,
        );
        expect(message).toMatch(/stored device identity: not valid JSON( \(at position \d+\))?$/);
        for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6));
      }
    }
  });

  it("the localStorage store round-trips through any Storage-like object", async () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    const store = localStorageDeviceIdentityStore(storage);
    expect(await store.load()).toBeUndefined();
    const stored = await generateWebDeviceIdentity();
    await store.save(stored);
    expect(await store.load()).toEqual(stored);
    expect(await memoryDeviceIdentityStore(stored).load()).toEqual(stored);
    expect(() => localStorageDeviceIdentityStore(undefined)).toThrow(/localStorage is not available/);
  });
});
