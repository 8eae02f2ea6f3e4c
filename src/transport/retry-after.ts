/**
 * The HTTP `Retry-After` header (RFC 9110 §10.2.3) as a wait in ms: `delay-seconds` (`Retry-After:
 * 120`) or an `HTTP-date`, in any of the three forms a recipient must accept (RFC 9110 §5.6.7):
 * IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850 form `Sunday, 06-Nov-94
 * 08:49:37 GMT` and asctime's `Sun Nov  6 08:49:37 1994`, all in UTC. A gateway refusing a WebSocket
 * upgrade (HTTP 429 or 503) sends it; the client waits at least that long before trying again.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = MONTHS.join("|");
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
/** Each form's pattern and the order of day, month, year, hour, minute, second among its groups. */
const IMF_FIXDATE = new RegExp(String.raw`^[A-Za-z]{3}, (\d{2}) (${MONTH}) (\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(String.raw`^[A-Za-z]{6,9}, (\d{2})-(${MONTH})-(\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(String.raw`^[A-Za-z]{3} (${MONTH}) ([ \d]\d) ${TIME} (\d{4})$`);

/**
 * The wait `value` asks for, in ms from `now` (ms since the epoch; a date in the past asks for 0), or
 * undefined when the header is absent or reads as neither form (then nothing was asked).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = httpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}

/** An HTTP-date as ms since the epoch, or undefined. */
function httpDate(text: string, now: number): number | undefined {
  let parts: [day: string, month: string, year: number, hour: string, minute: string, second: string] | undefined;
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(text))) parts = [m[1]!, m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!];
  else if ((m = RFC_850.exec(text))) parts = [m[1]!, m[2]!, fullYear(Number(m[3]), now), m[4]!, m[5]!, m[6]!];
  else if ((m = ASCTIME.exec(text))) parts = [m[2]!.trim(), m[1]!, Number(m[6]), m[3]!, m[4]!, m[5]!];
  if (parts === undefined) return undefined;
  const [day, month, year, hour, minute, second] = parts;
  const ms = Date.UTC(year, MONTHS.indexOf(month), Number(day), Number(hour), Number(minute), Number(second));
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * RFC 850's two-digit year: the year with those last two digits that is not more than 50 years in the
 * future (RFC 9110 §5.6.7).
 */
function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  let year = thisYear - (thisYear % 100) + twoDigits;
  if (year > thisYear + 50) year -= 100;
  return year;
}
