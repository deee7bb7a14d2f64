import { useState } from "preact/hooks";
import { call } from "../api.js";
import { Forwards } from "../components/forwards.js";
import { Player } from "../components/player.js";
import { ErrorMessage, Field, Notice, Section, useAction, useMutation } from "../components/ui.js";
import { formatDuration, formatTime, streamPath } from "../format.js";
import type { LiveState } from "../live.js";
import type { DashboardStream, StreamEventInfo } from "../types.js";
import { PushQuality } from "./push-quality.js";

type StreamKey = { DomainName: string; AppName: string; StreamName: string };

const key = (s: StreamKey): StreamKey => ({
  DomainName: s.DomainName,
  AppName: s.AppName,
  StreamName: s.StreamName,
});

/** `YYYY-MM-DDThh:mm:ssZ`, the UTC form the API takes. */
const apiTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

const WINDOWS = [
  { label: "Last hour", ms: 3_600_000 },
  { label: "Last 24 hours", ms: 86_400_000 },
  { label: "Last 7 days", ms: 7 * 86_400_000 },
];

function LiveList(props: { live: LiveState; onChanged: () => void }) {
  const list = useAction<{ Streams: DashboardStream[] }>("DashboardLiveStreams", {}, [
    props.live.version,
  ]);
  const action = useMutation();
  const [watching, setWatching] = useState<StreamKey | null>(null);
  const act = (name: "DropLiveStream" | "ForbidLiveStream", s: DashboardStream) => {
    const verb = name === "DropLiveStream" ? "Drop" : "Forbid";
    if (!window.confirm(`${verb} ${streamPath(s)}?`)) return;
    void action
      .run(async () => {
        await call(name, key(s));
        return name === "DropLiveStream"
          ? `Dropped ${streamPath(s)} (interruption errcode 21).`
          : `Forbade ${streamPath(s)} for 7 days; resume it below.`;
      })
      .then(() => {
        list.reload();
        props.onChanged();
      });
  };
  return (
    <Section title="Live now">
      <ErrorMessage error={list.error ?? action.error} />
      <Notice text={action.notice} />
      {list.data?.Streams.length === 0 ? (
        <p class="empty">No stream is live.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Streams live now</caption>
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Domain / App</th>
                <th scope="col">Since</th>
                <th scope="col">Picture</th>
                <th scope="col">Client</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.Streams.map((s) => (
                <tr key={streamPath(s)} data-stream={s.StreamName}>
                  <td>
                    <strong>{s.StreamName}</strong>
                  </td>
                  <td data-label="Domain / App">
                    {s.DomainName}/{s.AppName}
                  </td>
                  <td data-label="Since">{formatTime(s.StartTime)}</td>
                  <td data-label="Picture">{s.Resolution.replace("*", "×") || "—"}</td>
                  <td data-label="Client">{s.ClientIp}</td>
                  <td class="actions">
                    <button
                      type="button"
                      aria-label={`Watch ${s.StreamName}`}
                      aria-pressed={watching !== null && streamPath(watching) === streamPath(s)}
                      onClick={() => setWatching(key(s))}
                    >
                      Watch
                    </button>
                    <button
                      type="button"
                      disabled={action.busy}
                      aria-label={`Drop ${s.StreamName}`}
                      onClick={() => act("DropLiveStream", s)}
                    >
                      Drop
                    </button>
                    <button
                      type="button"
                      class="danger"
                      disabled={action.busy}
                      aria-label={`Forbid ${s.StreamName}`}
                      onClick={() => act("ForbidLiveStream", s)}
                    >
                      Forbid
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {watching && (
        <Player key={streamPath(watching)} stream={watching} onClose={() => setWatching(null)} />
      )}
    </Section>
  );
}

function ResumeForm() {
  const [form, setForm] = useState<StreamKey>({ DomainName: "", AppName: "live", StreamName: "" });
  const action = useMutation();
  const set = (field: keyof StreamKey) => (e: { currentTarget: HTMLInputElement }) =>
    setForm({ ...form, [field]: e.currentTarget.value });
  return (
    <Section title="Resume a forbidden stream">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await call("ResumeLiveStream", form);
            return `${streamPath(form)} may publish again.`;
          });
        }}
      >
        <Field label="Domain">
          <input required value={form.DomainName} onInput={set("DomainName")} />
        </Field>
        <Field label="AppName">
          <input required value={form.AppName} onInput={set("AppName")} />
        </Field>
        <Field label="Stream name">
          <input required value={form.StreamName} onInput={set("StreamName")} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Resume
        </button>
      </form>
      <ErrorMessage error={action.error} />
      <Notice text={action.notice} />
    </Section>
  );
}

function History(props: { live: LiveState; refresh: number }) {
  const [windowMs, setWindowMs] = useState(86_400_000);
  const [name, setName] = useState("");
  const [page, setPage] = useState(1);
  const now = new Date();
  const params = {
    StartTime: apiTime(new Date(now.getTime() - windowMs)),
    EndTime: apiTime(new Date(now.getTime() + 60_000)),
    PageSize: 20,
    PageNum: page,
    ...(name.trim() ? { StreamName: name.trim() } : {}),
  };
  const history = useAction<{ EventList: StreamEventInfo[]; TotalPage: number; TotalNum: number }>(
    "DescribeLiveStreamEventList",
    params,
    [windowMs, name, page, props.live.version, props.refresh],
  );
  return (
    <Section title="History">
      <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
        <Field label="Period">
          <select
            value={String(windowMs)}
            onChange={(e) => {
              setWindowMs(Number(e.currentTarget.value));
              setPage(1);
            }}
          >
            {WINDOWS.map((w) => (
              <option key={w.ms} value={String(w.ms)}>
                {w.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Stream name contains">
          <input
            type="search"
            value={name}
            onInput={(e) => {
              setName(e.currentTarget.value);
              setPage(1);
            }}
          />
        </Field>
      </form>
      <ErrorMessage error={history.error} />
      {history.data?.EventList.length === 0 ? (
        <p class="empty">No publish in this period.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Publishes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Pushed</th>
                <th scope="col">Interrupted</th>
                <th scope="col">Why it ended</th>
                <th scope="col">Duration</th>
                <th scope="col">Picture</th>
                <th scope="col">Client</th>
              </tr>
            </thead>
            <tbody>
              {history.data?.EventList.map((e) => (
                <tr key={`${streamPath(e)}@${e.StreamStartTime}@${e.StreamEndTime}`}>
                  <td>
                    <strong>{e.StreamName}</strong>
                    <div class="muted">
                      {e.DomainName}/{e.AppName}
                    </div>
                  </td>
                  <td data-label="Pushed">{formatTime(e.StreamStartTime)}</td>
                  <td data-label="Interrupted">
                    {e.StreamEndTime ? formatTime(e.StreamEndTime) : <em>live</em>}
                  </td>
                  <td data-label="Why it ended">
                    {e.StopReason ? <span class="errcode">{e.StopReason}</span> : "—"}
                  </td>
                  <td class="nowrap" data-label="Duration">
                    {e.StreamEndTime ? formatDuration(e.Duration * 1000) : "—"}
                  </td>
                  <td data-label="Picture">{e.Resolution.replace("*", "×") || "—"}</td>
                  <td data-label="Client">{e.ClientIp}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.data && history.data.TotalPage > 1 && (
        <nav class="pager" aria-label="History pages">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Newer
          </button>
          <span>
            Page {page} of {history.data.TotalPage}
          </span>
          <button
            type="button"
            disabled={page >= history.data.TotalPage}
            onClick={() => setPage(page + 1)}
          >
            Older
          </button>
        </nav>
      )}
    </Section>
  );
}

export function StreamsPage(props: { live: LiveState }) {
  const [refresh, setRefresh] = useState(0);
  return (
    <>
      <h1>Streams</h1>
      <LiveList live={props.live} onChanged={() => setRefresh((r) => r + 1)} />
      <Forwards version={props.live.version} />
      <PushQuality />
      <ResumeForm />
      <History live={props.live} refresh={refresh} />
    </>
  );
}
