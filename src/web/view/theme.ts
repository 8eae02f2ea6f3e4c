/**
 * Light and dark themes: the system's choice by default (`prefers-color-scheme`), or the visitor's,
 * kept in localStorage. The button cycles Auto -> Light -> Dark.
 */
import { byId } from "./dom.js";

const THEMES = ["auto", "light", "dark"] as const;
type Theme = (typeof THEMES)[number];
const KEY = "gateway-presence.theme";

export function setUpThemeToggle(): void {
  const button = byId<HTMLButtonElement>("theme");
  const apply = (theme: Theme) => {
    if (theme === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    button.textContent = `Theme: ${theme[0].toUpperCase()}${theme.slice(1)}`;
  };
  let current = readTheme();
  apply(current);
  button.addEventListener("click", () => {
    current = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
    apply(current);
    try {
      localStorage.setItem(KEY, current);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  });
}

function readTheme(): Theme {
  try {
    const stored = localStorage.getItem(KEY);
    return (THEMES as readonly string[]).includes(stored ?? "") ? (stored as Theme) : "auto";
  } catch {
    return "auto";
  }
}
