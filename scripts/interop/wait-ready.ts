// Waits until an OpenClaw peer answers connect with hello-ok (it listens before it is ready and
// answers UNAVAILABLE "gateway starting" meanwhile). Run inside the namespace:
//   npx tsx scripts/interop/wait-ready.ts ws://127.0.0.1:18789 TOKEN
import { createOpenClawBinding } from "../../src/transport/openclaw.js";
import { openRawSession } from "./raw-session.js";

const [url, token] = process.argv.slice(2);
if (!url) throw new Error("usage: wait-ready.ts URL [TOKEN]");
const deadline = Date.now() + 120_000;
let last = "";
for (let attempt = 1; Date.now() < deadline; attempt++) {
  const params = { minProtocol: 3, maxProtocol: 4, client: { id: "cli", version: "0", platform: "linux", mode: "cli" }, ...(token ? { auth: { token } } : {}) };
  try {
    const session = await openRawSession(url, createOpenClawBinding(), params);
    const answer = await session.connect(params, 10_000);
    await session.close();
    if (answer.kind === "result") {
      console.log(`ready after ${attempt} attempt(s)`);
      process.exit(0);
    }
    last = answer.kind === "error" ? `${answer.error.name}: ${answer.error.message}` : "unexpected answer";
  } catch (error) {
    last = (error as Error).message;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
console.error(`not ready within 120 s: ${last}`);
process.exit(1);
