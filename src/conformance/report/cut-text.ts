/**
 * A long text cut for a report, saying that it was and how long it was whole:
 * `{"text":"xxxx…… (600123 characters)`. The JSON report's expected/actual strings (context.ts) and
 * the terminal's `expected:` / `actual:` lines are cut alike; a check always judged the whole value.
 */
export function cutText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}
