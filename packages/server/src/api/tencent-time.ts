/**
 * The two time formats of Tencent's live API: `YYYY-MM-DDThh:mm:ssZ` (UTC) and
 * `YYYY-MM-DD hh:mm:ss` (Beijing time, UTC+8, no offset written). Describe actions return
 * CreateTime/UpdateTime in the second; DescribeCallbackRecordsList answers in whichever format
 * the request used.
 */

const BEIJING_OFFSET_MS = 8 * 3600_000;

export type TencentTimeStyle = "utc" | "beijing";

/** `2018-09-12 15:52:01` in Beijing time. */
export function formatBeijingTime(date: Date): string {
  return new Date(date.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** `2018-09-12T07:52:01Z`. */
export function formatUtcTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function formatTencentTime(date: Date, style: TencentTimeStyle): string {
  return style === "utc" ? formatUtcTime(date) : formatBeijingTime(date);
}

const UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const BEIJING = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses either format; null when the text is neither or names no real instant (month 13,
 * February 30th, hour 24).
 */
export function parseTencentTime(text: string): { date: Date; style: TencentTimeStyle } | null {
  const utc = UTC.exec(text);
  const match = utc ?? BEIJING.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls invalid fields over (Feb 30 → Mar 2); a round trip catches that.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return null;
  }
  return utc
    ? { date: check, style: "utc" }
    : { date: new Date(ms - BEIJING_OFFSET_MS), style: "beijing" };
}
