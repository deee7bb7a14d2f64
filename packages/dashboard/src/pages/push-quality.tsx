import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.js";
import { Sparkline } from "../components/sparkline.js";
import { ErrorMessage, Section } from "../components/ui.js";
import type { PushDataInfo } from "../types.js";

/** How often the figures are read, and how many readings each chart shows (2 minutes). */
const POLL_MS = 2000;
const POINTS = 60;

interface Series {
  info: PushDataInfo;
  kbps: number[];
  fps: number[];
}

/** One publish: the same stream pushed again starts a new chart. */
const seriesKey = (i: PushDataInfo) =>
  `${i.PushDomain}/${i.AppName}/${i.StreamName}@${i.BeginPushTime}`;

const kbps = (bps: number) => `${Math.round(bps / 1000)} kbit/s`;

/**
 * What the ingest measures of each live stream (DescribeLiveStreamPushInfoList, the same figures
 * as the API and /metrics), with a chart of its bitrate and frame rate over the last readings.
 */
export function PushQuality() {
  const [series, setSeries] = useState<Series[]>([]);
  const [error, setError] = useState<unknown>(null);
  const history = useRef(new Map<string, Series>());

  useEffect(() => {
    let current = true;
    const read = () =>
      call<{ DataInfoList: PushDataInfo[] }>("DescribeLiveStreamPushInfoList", { PageSize: 200 })
        .then((reply) => {
          if (!current) return;
          const next = new Map<string, Series>();
          for (const info of reply.DataInfoList) {
            const key = seriesKey(info);
            const old = history.current.get(key);
            next.set(key, {
              info,
              kbps: [...(old?.kbps ?? []), (info.VideoSpeed + info.AudioSpeed) / 1000].slice(
                -POINTS,
              ),
              fps: [...(old?.fps ?? []), info.VideoFps].slice(-POINTS),
            });
          }
          history.current = next;
          setSeries([...next.values()]);
          setError(null);
        })
        .catch((err: unknown) => current && setError(err));
    void read();
    const timer = setInterval(read, POLL_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <Section title="Push quality">
      <ErrorMessage error={error} />
      {series.length === 0 ? (
        <p class="empty">No stream is being pushed to this node.</p>
      ) : (
        <ul class="push-quality">
          {series.map(({ info, kbps: rates, fps }) => (
            <li key={seriesKey(info)} data-stream={info.StreamName}>
              <h3>{info.StreamName}</h3>
              <dl class="push-figures">
                <dt>Video</dt>
                <dd>
                  {info.Vcodec || "—"} {info.Resolution.replace("*", "×")} · {info.VideoFps} fps ·{" "}
                  {kbps(info.VideoSpeed)}
                </dd>
                <dt>Audio</dt>
                <dd>
                  {info.Acodec || "—"} {info.AsampleRate ? `${info.AsampleRate} Hz` : ""} ·{" "}
                  {kbps(info.AudioSpeed)}
                </dd>
                <dt>Client</dt>
                <dd>{info.ClientIp}</dd>
              </dl>
              <div class="push-charts">
                <Sparkline
                  values={rates}
                  label="Bitrate"
                  format={(v) => `${Math.round(v)} kbit/s`}
                />
                <Sparkline values={fps} label="Frame rate" format={(v) => `${v} fps`} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
