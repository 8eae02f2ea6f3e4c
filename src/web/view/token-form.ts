/**
 * The token form, shown when the gateway wants a token. Its input has no `name` and the form no
 * action (and the page's CSP says `form-action 'none'`), so even a submit without JavaScript could
 * never put the token in a URL.
 */
import { byId, setText } from "./dom.js";

export class TokenForm {
  readonly #section = byId("auth");
  readonly #message = byId("auth-message");
  readonly #input = byId<HTMLInputElement>("token");

  constructor(onToken: (token: string) => void) {
    byId<HTMLFormElement>("auth-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = this.#input.value;
      if (token.trim() === "") return this.ask("Enter the gateway's token.");
      this.#input.value = "";
      this.hide();
      onToken(token);
    });
  }

  ask(message: string): void {
    setText(this.#message, message);
    this.#section.hidden = false;
    this.#input.focus();
  }

  hide(): void {
    this.#section.hidden = true;
  }
}
