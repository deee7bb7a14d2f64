import { formatTime } from "../format.js";
import type { LiveState } from "../live.js";
import type { DashboardAlert } from "../types.js";
import { ErrorMessage, Section, useAction } from "./ui.js";

/**
 * The latest operator alerts (docs/alerts.md): endpoints disabled or enabled again, dead
 * deliveries, the queue too old. Reloaded when the live feed tells of an alert.
 */
export function OperatorAlerts(props: { live: LiveState }) {
  const alertsSeen = props.live.recent.filter((e) => e.Alert).length;
  const alerts = useAction<{ AlertUrl: string; Alerts: DashboardAlert[] }>("DashboardAlerts", {}, [
    alertsSeen,
  ]);
  const list = alerts.data?.Alerts ?? [];
  return (
    <Section title="Operator alerts">
      <ErrorMessage error={alerts.error} />
      <p class="muted">
        {alerts.data?.AlertUrl
          ? `Also sent, signed, to ${alerts.data.AlertUrl}.`
          : "Set alerts.url to have them sent (docs/alerts.md)."}
      </p>
      {list.length === 0 ? (
        <p class="empty">No alert: callbacks are flowing.</p>
      ) : (
        <ul class="rows" aria-label="Operator alerts">
          {list.map((a) => (
            <li key={a.EventId} class={`alert-row ${a.Alert}`}>
              <time>{formatTime(a.Time)}</time> <strong>{a.Alert.replaceAll("_", " ")}</strong>{" "}
              <span class="alert-message">{a.Message}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
