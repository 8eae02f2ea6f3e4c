// The Origin check reads this machine's interface addresses (os.networkInterfaces) at most once per
// INTERFACE_CACHE_MS, not per upgrade: a counting wrapper around the real os.networkInterfaces is
// passed to the policy (the gateway builds one policy and calls it once per upgrade, gateway-http.ts).
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { createOriginPolicy, INTERFACE_CACHE_MS } from "../../../src/server/http/origin-check.js";

const PORT = 18789;

/** The policy with a counting reader around the real os.networkInterfaces and a clock the test moves. */
function countingPolicy(read: () => ReturnType<typeof networkInterfaces> = networkInterfaces) {
  const state = { reads: 0, now: 1_000_000 };
  const check = createOriginPolicy({
    allowOrigins: [],
    ports: () => [PORT],
    networkInterfaces: () => {
      state.reads++;
      return read();
    },
    now: () => state.now,
  });
  return { check, state };
}

/** A non-loopback address of this machine, when it has one (CI containers may have only loopback). */
const ownAddress = Object.values(networkInterfaces())
  .flatMap((list) => list ?? [])
  .find((a) => !a.internal && a.family === "IPv4")?.address;

describe("the Origin check's interface addresses", () => {
  it("are read once for many upgrades with IP Origins, own or foreign (a flood of foreign ones forces no reading)", () => {
    const { check, state } = countingPolicy();
    for (let i = 0; i < 200; i++) expect(check(`http://203.0.113.${i % 250}:${PORT}`)).toMatchObject({ ok: false });
    if (ownAddress) for (let i = 0; i < 50; i++) expect(check(`http://${ownAddress}:${PORT}`)).toEqual({ ok: true, matchedBy: "own" });
    expect(check(`http://127.0.0.1:${PORT}`)).toEqual({ ok: true, matchedBy: "own" });
    expect(check(undefined)).toEqual({ ok: true, matchedBy: "absent" });
    expect(state.reads).toBe(1);
  });

  it("are not read at all for Origins that are names or loopback", () => {
    const { check, state } = countingPolicy();
    expect(check(`http://localhost:${PORT}`)).toMatchObject({ ok: true });
    expect(check(`http://[::1]:${PORT}`)).toMatchObject({ ok: true });
    expect(check(`http://evil.example:${PORT}`)).toMatchObject({ ok: false });
    expect(state.reads).toBe(0);
  });

  it("are read again once the reading is INTERFACE_CACHE_MS old, on the next check that needs them", () => {
    const { check, state } = countingPolicy();
    check(`http://203.0.113.1:${PORT}`);
    state.now += INTERFACE_CACHE_MS - 1;
    check(`http://203.0.113.1:${PORT}`);
    expect(state.reads).toBe(1);
    state.now += 1;
    expect(state.reads).toBe(1); // lazily: nothing happens until a check needs them
    check(`http://203.0.113.1:${PORT}`);
    expect(state.reads).toBe(2);
  });

  it("see an address the machine gained once the reading expires, and fail closed when reading fails", () => {
    let gained = false;
    const { check, state } = countingPolicy(() => ({ ...networkInterfaces(), ...(gained ? { test0: [{ address: "198.51.100.7", netmask: "255.255.255.0", family: "IPv4", mac: "02:00:00:00:00:07", internal: false, cidr: "198.51.100.7/24" }] } : {}) }));
    expect(check(`http://198.51.100.7:${PORT}`)).toMatchObject({ ok: false });
    gained = true;
    expect(check(`http://198.51.100.7:${PORT}`)).toMatchObject({ ok: false }); // still the old reading
    state.now += INTERFACE_CACHE_MS;
    expect(check(`http://198.51.100.7:${PORT}`)).toEqual({ ok: true, matchedBy: "own" });
    const failing = countingPolicy(() => {
      throw new Error("uv_interface_addresses failed");
    });
    expect(failing.check(`http://198.51.100.7:${PORT}`)).toMatchObject({ ok: false });
    expect(failing.check(`http://127.0.0.1:${PORT}`)).toEqual({ ok: true, matchedBy: "own" });
  });
});
