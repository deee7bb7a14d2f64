import { call } from "../api.js";
import { formatTime } from "../format.js";
import type { LiveState } from "../live.js";
import type { CallbackEndpointInfo, DashboardAlert } from "../types.js";
import { ErrorMessage, Notice, Section, useAction, useMutation } from "./ui.js";

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
  const endpoints = useAction<{ Endpoints: CallbackEndpointInfo[] }>(
    "DescribeCallbackEndpoints",
    {},
    [alertsSeen],
  );
  const disabled = (endpoints.data?.Endpoints ?? []).filter((e) => e.Status === "disabled");
  const enable = useMutation();
  return (
    <Section title="Operator alerts">
      <p class="muted">
        {alerts.data?.AlertUrl
          ? `Also sent, signed, to ${alerts.data.AlertUrl}.`
          : "Set alerts.url to have them sent (docs/alerts.md)."}
      </p>
      <ErrorMessage error={endpoints.error ?? enable.error} />
      <Notice text={enable.notice} />
      {disabled.length > 0 && (
        <>
          <h3>Disabled endpoints</h3>
          <ul class="rows" aria-label="Disabled endpoints">
            {disabled.map((e) => (
              <li key={e.Url}>
                <div class="row-head">
                  <span class="url">{e.Url}</span>
                  <span class="muted">
                    since {formatTime(e.DisabledTime)} ({e.DisabledReason})
                  </span>
                  <span class="spacer" />
                  <button
                    type="button"
                    disabled={enable.busy}
                    aria-label={`Enable ${e.Url} and redeliver what it held back`}
                    onClick={() =>
                      void enable.run(async () => {
                        const r = await call<{ RedeliveredCount: number }>(
                          "EnableCallbackEndpoint",
                          { Url: e.Url },
                        );
                        endpoints.reload();
                        alerts.reload();
                        return `${e.Url} enabled; ${r.RedeliveredCount} deliveries requeued.`;
                      })
                    }
                  >
                    Enable
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      <ErrorMessage error={alerts.error} />
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
