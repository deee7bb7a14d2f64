/** Display helpers shared by the pages. */

/** Tencent's event_type numbers, by name. */
export const EVENT_TYPES: Record<number, string> = {
  0: "interruption",
  1: "push",
  100: "recording",
  200: "screenshot",
  317: "porn detection",
  321: "push exception",
  332: "record status",
  333: "audio audit",
  341: "record exception",
  9000: "operator alert",
};

export function eventTypeName(type: number): string {
  return EVENT_TYPES[type] ?? `event ${type}`;
}

/**
 * The browser's date and time with its zone ("02/12/2026, 14:03:07 CET"), or "—". The zone is
 * shown because the same moment is UTC in record file names and Beijing time in screenshot paths
 * and API times (docs/clocks.md).
 */
export function formatTime(iso: string): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, TIME_WITH_ZONE);
}

const TIME_WITH_ZONE: Intl.DateTimeFormatOptions = {
  dateStyle: "short",
  timeStyle: "long",
};

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(1)} %`;
}

/** A key that names a stream everywhere in the app. */
export function streamPath(s: { DomainName: string; AppName: string; StreamName: string }): string {
  return `${s.DomainName}/${s.AppName}/${s.StreamName}`;
}

/** The browser's time zone by name ("Europe/Paris"), which the dashboard's times are in. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
