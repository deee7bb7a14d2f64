import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.js";
import { streamPath } from "../format.js";
import type { DashboardPlayUrlInfo, DashboardViewersInfo } from "../types.js";
import {
  type PlayFigures,
  type PlayProtocol,
  PROTOCOL_LABELS,
  requestedProtocol,
  startPlayback,
} from "./play-engine.js";
import { ErrorMessage } from "./ui.js";

/** How often the viewer count is read. */
const VIEWERS_POLL_MS = 2000;

type Stream = { DomainName: string; AppName: string; StreamName: string };

/**
 * The stream view's player (docs/playback.md, "Dashboard player"): the stream's HTTP-FLV URL on
 * this server through mpegts.js into Media Source Extensions, or its LL-HLS playlist where the
 * browser cannot play HTTP-FLV (play-engine.ts). The URLs are signed by the server when the play
 * domain has play auth (DashboardPlayUrl); the viewer count comes from the node's own counters
 * (DashboardViewers).
 */
export function Player(props: { stream: Stream; onClose: () => void }) {
  const { AppName, StreamName } = props.stream;
  const video = useRef<HTMLVideoElement>(null);
  const [url, setUrl] = useState<DashboardPlayUrlInfo | null>(null);
  const [protocol, setProtocol] = useState<PlayProtocol | null>(null);
  const [viewers, setViewers] = useState<DashboardViewersInfo | null>(null);
  const [figures, setFigures] = useState<PlayFigures>({
    kbps: null,
    decodedFrames: 0,
    latency: null,
  });
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
      if (stopped || !video.current) return;
      setUrl(info);
      const playback = await startPlayback({
        video: video.current,
        urls: info,
        requested: requestedProtocol(window.location.search),
        onFigures: (f) => !stopped && setFigures(f),
        onError: (err) => !stopped && setError(err),
      });
      if (stopped) {
        playback.destroy();
        return;
      }
      setProtocol(playback.protocol);
      destroy = () => playback.destroy();
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
          <dt>Played as</dt>
          <dd data-figure="protocol">{protocol ? PROTOCOL_LABELS[protocol] : "—"}</dd>
        </div>
        {figures.latency === null ? null : (
          <div>
            <dt>Behind live</dt>
            <dd data-figure="latency">{`${figures.latency.toFixed(1)} s`}</dd>
          </div>
        )}
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
