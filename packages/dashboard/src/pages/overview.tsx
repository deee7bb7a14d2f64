import { useEffect } from "preact/hooks";
import { ErrorMessage, Section, useAction } from "../components/ui.js";
import { eventTypeName, formatDuration, formatPercent, formatTime, streamPath } from "../format.js";
import type { LiveState } from "../live.js";
import type { DashboardStream, Overview } from "../types.js";

/** Screenshots are refreshed this often while the page is open. */
const SNAPSHOT_REFRESH_MS = 10_000;

function Figure(props: { label: string; value: string; tone?: "bad" | "good" | undefined }) {
  return (
    <div class={`figure ${props.tone ?? ""}`}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function EventsChart(props: { perMinute: number[] }) {
  const max = Math.max(1, ...props.perMinute);
  const total = props.perMinute.reduce((a, b) => a + b, 0);
  return (
    <figure class="chart">
      <div
        class="bars"
        role="img"
        aria-label={`${total} events in the last ${props.perMinute.length} minutes`}
      >
        {props.perMinute.map((count, i) => (
          <span
            key={i}
            class="bar"
            style={{ height: `${Math.round((count / max) * 100)}%` }}
            title={`${count} events, ${props.perMinute.length - 1 - i} min ago`}
          />
        ))}
      </div>
      <figcaption>Events per minute, last {props.perMinute.length} minutes</figcaption>
    </figure>
  );
}

export function OverviewPage(props: { live: LiveState }) {
  const first = useAction<Overview>("DashboardOverview", {}, []);
  const streams = useAction<{ Streams: DashboardStream[] }>("DashboardLiveStreams", {}, [
    props.live.version,
  ]);
  const { reload } = streams;
  useEffect(() => {
    const timer = window.setInterval(reload, SNAPSHOT_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  const stats = props.live.stats ?? first.data;
  const perMinute = stats?.EventsPerMinute ?? [];
  // The feed's events first, then the history read on load, without repeats.
  const seen = new Set(props.live.recent.map((e) => e.EventId));
  const latest = [
    ...props.live.recent,
    ...(first.data?.RecentEvents ?? []).filter((e) => !seen.has(e.EventId)),
  ].slice(0, 10);
  const missing = stats?.MissingUrls ?? [];

  return (
    <>
      <h1>Overview</h1>
      <ErrorMessage error={first.error} />
      {missing.length > 0 && (
        <section class="warning" aria-label="Events not sent">
          <h2>Events with nowhere to go</h2>
          <p>
            These callback templates matched an event but have no URL for its type, so OnAir stored
            the event and sent nothing. Set the field on the template (Configuration → Callbacks).
          </p>
          <ul>
            {missing.map((m) => (
              <li key={`${m.TemplateId}|${m.EventType}`}>
                Template <strong>{m.TemplateName}</strong> ({m.TemplateId}) has no{" "}
                <code>{m.UrlField}</code>: {eventTypeName(m.EventType)} ({m.EventType}) of{" "}
                {m.StreamName}, first at {formatTime(m.Time)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {stats && (
        <Section title="Right now">
          <dl class="figures">
            <Figure label="Streams on air" value={String(stats.OnlineStreams)} />
            <Figure
              label="Events per minute"
              value={String(perMinute[perMinute.length - 1] ?? 0)}
            />
            <Figure
              label="Delivery success rate"
              value={formatPercent(stats.SuccessRate)}
              tone={stats.SuccessRate !== null && stats.SuccessRate < 0.95 ? "bad" : undefined}
            />
            <Figure label="Queue depth (pending)" value={String(stats.Pending)} />
            <Figure
              label="Oldest pending delivery"
              value={formatDuration(stats.OldestPendingAgeMs)}
            />
            <Figure
              label="Dead deliveries"
              value={String(stats.Dead)}
              tone={stats.Dead > 0 ? "bad" : undefined}
            />
          </dl>
          <EventsChart perMinute={perMinute} />
        </Section>
      )}
      <Section title="On air now">
        <ErrorMessage error={streams.error} />
        {streams.data && streams.data.Streams.length === 0 && (
          <p class="empty">No stream is live.</p>
        )}
        <ul class="tiles" aria-label="Live streams">
          {streams.data?.Streams.map((s) => (
            <li key={streamPath(s)} class="tile">
              {s.SnapshotUrl ? (
                <img src={s.SnapshotUrl} alt={`Latest screenshot of ${s.StreamName}`} />
              ) : (
                <div class="placeholder" role="img" aria-label="No screenshot yet">
                  {s.Resolution ? s.Resolution.replace("*", "×") : "no picture yet"}
                </div>
              )}
              <strong>{s.StreamName}</strong>
              <span class="muted">
                {s.DomainName}/{s.AppName}
              </span>
              <span class="muted">since {formatTime(s.StartTime)}</span>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Latest events">
        {latest.length === 0 ? (
          <p class="empty">Events appear here as they happen.</p>
        ) : (
          <ul class="feed" aria-live="polite" aria-label="Latest events">
            {latest.map((e) => (
              <li key={e.EventId}>
                <time>{formatTime(e.Time)}</time> <strong>{eventTypeName(e.EventType)}</strong>{" "}
                {e.Alert ? e.Message : streamPath(e)}
                {e.Errcode !== undefined ? ` — errcode ${e.Errcode}: ${e.Errmsg}` : ""}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}
