import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.js";
import { streamPath } from "../format.js";
import type { DashboardPlayUrlInfo, DashboardViewersInfo } from "../types.js";
import { ErrorMessage } from "./ui.js";

/** How often the viewer count is read. */
const VIEWERS_POLL_MS = 2000;

type Stream = { DomainName: string; AppName: string; StreamName: string };

/** What the player measured: the bitrate it receives and the frames its decoder output. */
interface PlayerFigures {
  kbps: number | null;
  decodedFrames: number;
}

/**
 * The stream view's player: mpegts.js (loaded only when a player opens) reads the stream's
 * HTTP-FLV URL on this server into Media Source Extensions (docs/playback.md, "Dashboard
 * player"). The URL is signed by the server when the play domain has play auth
 * (DashboardPlayUrl); the viewer count comes from the node's own counters (DashboardViewers).
 */
export function Player(props: { stream: Stream; onClose: () => void }) {
  const { AppName, StreamName } = props.stream;
  const video = useRef<HTMLVideoElement>(null);
  const [url, setUrl] = useState<DashboardPlayUrlInfo | null>(null);
  const [viewers, setViewers] = useState<DashboardViewersInfo | null>(null);
  const [figures, setFigures] = useState<PlayerFigures>({ kbps: null, decodedFrames: 0 });
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stopped = false;
    let destroy: () => void = () => undefined;
    const start = async () => {
      const info = await call<DashboardPlayUrlInfo>("DashboardPlayUrl", {
        AppName,
        StreamName,
        PageHost: window.location.hostname,
      });
      const { default: mpegts } = await import("mpegts.js");
      if (stopped || !video.current) return;
      if (!mpegts.getFeatureList().mseLivePlayback) {
        throw new Error("this browser cannot play live HTTP-FLV (no Media Source Extensions)");
      }
      setUrl(info);
      const player = mpegts.createPlayer(
        { type: "flv", isLive: true, url: new URL(info.FlvUrl, window.location.href).href },
        { enableWorker: false, liveBufferLatencyChasing: true, lazyLoad: false },
      );
      player.on(mpegts.Events.ERROR, (type: string, detail: string, data: { msg?: string }) => {
        setError(
          new Error(`the player stopped: ${type} ${detail}${data?.msg ? `: ${data.msg}` : ""}`),
        );
      });
      player.on(
        mpegts.Events.STATISTICS_INFO,
        (stats: { speed?: number; decodedFrames?: number }) => {
          setFigures({
            kbps: stats.speed === undefined ? null : stats.speed * 8,
            decodedFrames: stats.decodedFrames ?? 0,
          });
        },
      );
      player.attachMediaElement(video.current);
      player.load();
      // Muted, a browser lets a page start playing without a click.
      video.current.muted = true;
      void Promise.resolve(player.play()).catch(() => undefined);
      destroy = () => player.destroy();
    };
    start().catch((err: unknown) => !stopped && setError(err));
    return () => {
      stopped = true;
      destroy();
    };
  }, [AppName, StreamName]);

  useEffect(() => {
    let current = true;
    const read = () =>
      call<DashboardViewersInfo>("DashboardViewers", { AppName, StreamName })
        .then((v) => current && setViewers(v))
        .catch(() => undefined);
    void read();
    const timer = window.setInterval(read, VIEWERS_POLL_MS);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, [AppName, StreamName]);

  return (
    <div class="player" data-player={StreamName}>
      <div class="player-head">
        <strong>{streamPath(props.stream)}</strong>
        <button type="button" class="link" onClick={props.onClose}>
          Close player
        </button>
      </div>
      <video ref={video} controls muted playsInline aria-label={`Live video of ${StreamName}`} />
      <dl class="player-figures">
        <div>
          <dt>Viewers</dt>
          <dd data-figure="viewers">{viewers ? viewers.Viewers : "—"}</dd>
        </div>
        <div>
          <dt>Bitrate</dt>
          <dd data-figure="bitrate">
            {figures.kbps === null ? "—" : `${(figures.kbps / 1000).toFixed(2)} Mbit/s`}
          </dd>
        </div>
        <div>
          <dt>Frames decoded</dt>
          <dd data-figure="frames">{figures.decodedFrames}</dd>
        </div>
        <div>
          <dt>Play domain</dt>
          <dd>
            {url ? url.PlayDomain || "(none added)" : "—"}
            {url?.AuthEnabled ? " · signed URL" : ""}
          </dd>
        </div>
      </dl>
      <ErrorMessage error={error} />
    </div>
  );
}
