/**
 * The Instances page (served by the gateway on `/`): finds where to connect, connects with the client
 * SDK (asking for a token when the gateway wants one), and keeps the view live.
 */
import "./style/theme.css";
import "./style/controls.css";
import "./style/table.css";
import { GatewayError } from "../client/errors.js";
import type { PresenceClient } from "../client/types.js";
import type { ClientBinding } from "../transport/binding.js";
import { InstancesApp } from "./app.js";
import { watchHealth } from "./health.js";
import { loadTarget, type Target } from "./config.js";
import { createPageClient, pageInstanceId, trackLastInput } from "./page-client.js";
import { tokenPrompt, tokenStore } from "./token.js";
import { byId } from "./view/dom.js";
import { setUpThemeToggle } from "./view/theme.js";
import { TokenForm } from "./view/token-form.js";

async function bindingFor(target: Target): Promise<ClientBinding | "jsonrpc"> {
  if (target.binding === "jsonrpc") return "jsonrpc";
  if (target.binding !== "openclaw") throw new Error(`the page does not speak the ${target.binding} binding`);
  const { openClawPageBinding } = await import("./openclaw.js");
  const { binding, device } = await openClawPageBinding();
  if ("unavailable" in device) console.warn(`gateway-presence: connecting without a device identity: ${device.unavailable}`);
  return binding;
}

async function main(): Promise<void> {
  setUpThemeToggle();
  let target: Target;
  try {
    target = await loadTarget();
  } catch (error) {
    const fallback = new InstancesApp({ url: location.host, binding: "?", maxEntries: undefined, onRetry: () => location.reload() });
    fallback.banner.showError(`The page cannot find the gateway: ${(error as Error).message}`);
    return;
  }
  let client: PresenceClient | undefined;
  const app = new InstancesApp({ ...target, onRetry: () => void start() });
  watchHealth((degraded) => app.setDegraded(degraded));
  const tokenForm = new TokenForm((token) => {
    tokenStore.set(token);
    void start();
  });
  const forget = byId<HTMLButtonElement>("forget-token");
  forget.addEventListener("click", () => {
    tokenStore.clear();
    void start();
  });
  const idleSeconds = trackLastInput();
  const [binding, instanceId] = await Promise.all([bindingFor(target), pageInstanceId()]);

  async function start(): Promise<void> {
    const old = client;
    const token = tokenStore.get();
    forget.hidden = token === undefined;
    tokenForm.hide();
    const next = createPageClient({ url: target.url, binding, instanceId, token });
    client = next;
    app.follow(next);
    next.on("state", ({ state, error }) => {
      if (state !== "closed" || !(error instanceof GatewayError) || error.code !== "UNAUTHORIZED") return;
      // Never keep a token the gateway refused; the banner gives way to the question.
      tokenStore.clear();
      forget.hidden = true;
      app.banner.hide();
      tokenForm.ask(tokenPrompt(token !== undefined));
    });
    await old?.close();
    next.startBeacons({ lastInputSeconds: idleSeconds, onError: () => {} });
    // Failures show in the banner (or the token form) through the state events.
    await next.connect({ retry: true }).catch(() => {});
  }
  await start();
}

void main().catch((error: unknown) => {
  console.error(error);
  byId("banner-text").textContent = `The page failed: ${(error as Error).message}`;
  byId("banner").hidden = false;
});
