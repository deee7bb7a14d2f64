import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call } from "../api.js";
import { OperatorAlerts } from "../components/operator-alerts.js";
import { ErrorMessage, Field, Notice, Section, useAction, useMutation } from "../components/ui.js";
import { browserZone, EVENT_TYPES, eventTypeName, formatDuration, formatTime } from "../format.js";
import type { LiveState } from "../live.js";
import type { CallbackAttemptInfo, CallbackDeliveryInfo, DeliveryStatus } from "../types.js";

const STATUSES: DeliveryStatus[] = ["pending", "delivered", "dead", "disabled"];
const PAGE_SIZE = 50;

interface Filter {
  status: DeliveryStatus | "";
  url: string;
  stream: string;
  eventType: string;
  from: string;
  to: string;
}

/** A `datetime-local` value (local time) as the API's UTC form. */
function apiTime(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : `${date.toISOString().slice(0, 19)}Z`;
}

function filterParams(f: Filter): Record<string, unknown> {
  return {
    ...(f.status ? { Status: [f.status] } : {}),
    ...(f.url.trim() ? { Url: f.url.trim() } : {}),
    ...(f.stream.trim() ? { StreamName: f.stream.trim() } : {}),
    ...(f.eventType ? { EventTypes: [Number(f.eventType)] } : {}),
    ...(apiTime(f.from) ? { StartTime: apiTime(f.from) } : {}),
    ...(apiTime(f.to) ? { EndTime: apiTime(f.to) } : {}),
  };
}

function Attempts(props: { id: string; refresh: unknown }) {
  const result = useAction<{ Delivery: CallbackDeliveryInfo; Attempts: CallbackAttemptInfo[] }>(
    "DescribeCallbackDeliveryAttempts",
    { DeliveryId: props.id },
    [props.id, props.refresh],
  );
  if (result.error) return <ErrorMessage error={result.error} />;
  if (!result.data) return <p role="status">Loading attempts…</p>;
  if (result.data.Attempts.length === 0) return <p class="empty">No attempt yet.</p>;
  return (
    <table class="attempts">
      <caption>Attempts of {props.id}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col">Latency</th>
          <th scope="col">Error</th>
          <th scope="col">Response</th>
        </tr>
      </thead>
      <tbody>
        {result.data.Attempts.map((a) => (
          <tr key={a.Number}>
            <td>{a.Number}</td>
            <td>{formatTime(a.StartTime)}</td>
            <td>
              <span class={`pill ${a.StatusCode === 200 ? "delivered" : "dead"}`}>
                {a.StatusCode ?? "no reply"}
              </span>
            </td>
            <td>{a.DurationMs} ms</td>
            <td>{a.ErrorCode ? `${a.ErrorCode}: ${a.ErrorMessage}` : "—"}</td>
            <td>
              <code class="snippet">{a.Response || "—"}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * When a pending delivery is tried next, and how long from the server's latest `stats` time
 * (not the browser's clock, which may be off); refreshed with each `stats` message.
 */
function NextAttempt(props: { at: string; now: string }) {
  const wait = props.now ? Date.parse(props.at) - Date.parse(props.now) : Number.NaN;
  return (
    <div class="muted next-attempt">
      Next attempt <time dateTime={props.at}>{formatTime(props.at)}</time>
      {Number.isFinite(wait) && (
        <>
          {" "}
          <span class="nowrap">({wait > 0 ? `in ${formatDuration(wait)}` : "due now"})</span>
        </>
      )}
    </div>
  );
}

export function DeliveriesPage(props: { live: LiveState }) {
  const [draft, setDraft] = useState<Filter>({
    status: "",
    url: "",
    stream: "",
    eventType: "",
    from: "",
    to: "",
  });
  const [filter, setFilter] = useState<Filter>(draft);
  const [items, setItems] = useState<CallbackDeliveryInfo[]>([]);
  const [cursor, setCursor] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const action = useMutation();
  const stats = props.live.stats;
  // Queue figures change whenever an attempt finishes: that is when the list is worth reloading.
  const queueKey = stats ? `${stats.Pending}/${stats.Dead}/${stats.Delivered}` : "";
  // A shown pending delivery may finish without moving the totals (dead again): poll it.
  const pollKey = items.some((d) => d.Status === "pending") ? (stats?.Time ?? "") : "";

  useEffect(() => {
    let current = true;
    call<{ Deliveries: CallbackDeliveryInfo[]; NextCursor: string }>("DescribeCallbackDeliveries", {
      ...filterParams(filter),
      Limit: PAGE_SIZE,
    })
      .then((r) => {
        if (!current) return;
        setItems(r.Deliveries);
        setCursor(r.NextCursor);
        setError(null);
      })
      .catch((err: unknown) => current && setError(err));
    return () => {
      current = false;
    };
  }, [filter, queueKey, pollKey, props.live.version, tick]);

  const loadMore = () =>
    call<{ Deliveries: CallbackDeliveryInfo[]; NextCursor: string }>("DescribeCallbackDeliveries", {
      ...filterParams(filter),
      Limit: PAGE_SIZE,
      Cursor: cursor,
    }).then(
      (r) => {
        setItems([...items, ...r.Deliveries]);
        setCursor(r.NextCursor);
      },
      (err: unknown) => setError(err),
    );

  const redeliver = (params: Record<string, unknown>, what: string) =>
    action
      .run(async () => {
        const r = await call<{ TotalCount: number }>("RedeliverCallbacks", params);
        return `Requeued ${r.TotalCount} ${what}.`;
      })
      .then((ok) => {
        if (ok) setSelected(new Set());
        setTick((t) => t + 1);
      });

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const set = (field: keyof Filter) => (e: { currentTarget: { value: string } }) =>
    setDraft({ ...draft, [field]: e.currentTarget.value });

  return (
    <>
      <h1>Deliveries</h1>
      <Section title="Filter">
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter(draft);
          }}
        >
          <Field label="Status">
            <select value={draft.status} onChange={set("status")}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <Field label="URL">
            <input type="search" value={draft.url} onInput={set("url")} />
          </Field>
          <Field label="Stream">
            <input type="search" value={draft.stream} onInput={set("stream")} />
          </Field>
          <Field label="Event type">
            <select value={draft.eventType} onChange={set("eventType")}>
              <option value="">any</option>
              {Object.entries(EVENT_TYPES).map(([n, name]) => (
                <option key={n} value={n}>
                  {name} ({n})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Created from" hint={`your time zone, ${browserZone()}`}>
            <input type="datetime-local" value={draft.from} onInput={set("from")} />
          </Field>
          <Field label="Created before" hint={`your time zone, ${browserZone()}`}>
            <input type="datetime-local" value={draft.to} onInput={set("to")} />
          </Field>
          {/* Six fields fill the row: the button has a row of its own (styles.css). */}
          <div class="form-actions">
            <button type="submit" class="primary">
              Apply filter
            </button>
          </div>
        </form>
      </Section>
      <Section title="Callbacks">
        <div class="toolbar">
          <button
            type="button"
            disabled={action.busy || selected.size === 0}
            onClick={() =>
              redeliver(
                { DeliveryIds: [...selected] },
                `selected deliver${selected.size === 1 ? "y" : "ies"}`,
              )
            }
          >
            Redeliver selected ({selected.size})
          </button>
          <button
            type="button"
            class="danger"
            disabled={action.busy}
            onClick={() => {
              if (window.confirm("Redeliver every dead delivery?")) {
                void redeliver({ AllDead: true }, "dead deliveries");
              }
            }}
          >
            Redeliver all dead
          </button>
        </div>
        <ErrorMessage error={error ?? action.error} />
        <Notice text={action.notice} />
        {items.length === 0 ? (
          <p class="empty">No delivery matches.</p>
        ) : (
          <div class="table-wrap">
            <table class="deliveries">
              <caption class="sr-only">Deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span class="sr-only">Select</span>
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">Event</th>
                  <th scope="col">Stream</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <Fragment key={d.DeliveryId}>
                    <tr data-delivery={d.DeliveryId} data-status={d.Status}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select delivery ${d.DeliveryId}`}
                          checked={selected.has(d.DeliveryId)}
                          onChange={() => toggle(d.DeliveryId)}
                        />
                      </td>
                      <td data-label="Created">{formatTime(d.CreateTime)}</td>
                      <td data-label="Event">{eventTypeName(d.EventType)}</td>
                      <td data-label="Stream">{d.StreamName || "—"}</td>
                      <td class="url" data-label="URL">
                        {d.Url}
                      </td>
                      <td data-label="Status">
                        <span class={`pill ${d.Status}`}>{d.Status}</span>
                        {d.NextAttemptTime && (
                          <NextAttempt at={d.NextAttemptTime} now={stats?.Time ?? ""} />
                        )}
                      </td>
                      <td data-label="Attempts">{d.Attempts}</td>
                      <td class="muted" data-label="Last error">
                        {d.LastError || "—"}
                      </td>
                      <td class="actions">
                        <button
                          type="button"
                          aria-expanded={open === d.DeliveryId}
                          aria-label={`Attempts of ${d.DeliveryId}`}
                          onClick={() => setOpen(open === d.DeliveryId ? null : d.DeliveryId)}
                        >
                          Attempts
                        </button>
                        <button
                          type="button"
                          disabled={action.busy || d.Status === "pending"}
                          aria-label={`Redeliver ${d.DeliveryId}`}
                          onClick={() => redeliver({ DeliveryIds: [d.DeliveryId] }, "delivery")}
                        >
                          Redeliver
                        </button>
                      </td>
                    </tr>
                    {open === d.DeliveryId && (
                      <tr class="detail">
                        <td colSpan={9}>
                          <Attempts
                            id={d.DeliveryId}
                            refresh={`${d.Status}/${d.Attempts}/${d.UpdateTime}`}
                          />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <button type="button" onClick={() => void loadMore()}>
            Load more
          </button>
        )}
      </Section>
      <OperatorAlerts live={props.live} />
    </>
  );
}
