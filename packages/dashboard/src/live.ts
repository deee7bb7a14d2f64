import { useEffect, useState } from "preact/hooks";
import { call } from "./api.js";
import type { LiveEvent, Overview } from "./types.js";

/** What the server-sent event stream has said so far. */
export interface LiveState {
  connected: boolean;
  stats: Overview | null;
  /** Newest first, at most MAX_RECENT. */
  recent: LiveEvent[];
  /** Bumped on every event, so pages can reload what it may have changed. */
  version: number;
}

const MAX_RECENT = 50;
/** Wait before reopening a stream the browser gave up on (it retries by itself otherwise). */
const REOPEN_MS = 3000;

/**
 * One EventSource on /dashboard/events while signed in. A stream refused with 401 is not
 * retried by the browser; the probe call then signs the app out (api.ts), else it reopens.
 */
export function useLiveFeed(enabled: boolean): LiveState {
  const [state, setState] = useState<LiveState>({
    connected: false,
    stats: null,
    recent: [],
    version: 0,
  });
  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let reopen: number | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource("/dashboard/events");
      source.onopen = () => setState((s) => ({ ...s, connected: true }));
      source.addEventListener("stats", (e) => {
        const stats = JSON.parse((e as MessageEvent<string>).data) as Overview;
        setState((s) => ({ ...s, stats, connected: true }));
      });
      source.addEventListener("onair-event", (e) => {
        const event = JSON.parse((e as MessageEvent<string>).data) as LiveEvent;
        setState((s) => ({
          ...s,
          recent: [event, ...s.recent].slice(0, MAX_RECENT),
          version: s.version + 1,
        }));
      });
      source.onerror = () => {
        setState((s) => ({ ...s, connected: false }));
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        call("DashboardOverview")
          .catch(() => undefined)
          .finally(() => {
            if (!stopped) reopen = window.setTimeout(open, REOPEN_MS);
          });
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(reopen);
      source?.close();
    };
  }, [enabled]);
  return state;
}
