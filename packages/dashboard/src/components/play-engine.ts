import type { DashboardPlayUrlInfo } from "../types.js";

/** How the player plays a stream: see docs/playback.md, "Dashboard player". */
export type PlayProtocol = "flv" | "hls.js" | "native-hls";

export const PROTOCOL_LABELS: Record<PlayProtocol, string> = {
  flv: "HTTP-FLV (mpegts.js)",
  "hls.js": "LL-HLS (hls.js)",
  "native-hls": "HLS (the browser's own)",
};

/** What a playing engine reports as it plays. */
export interface PlayFigures {
  kbps: number | null;
  decodedFrames: number;
  /** The distance to the live edge the HLS player estimates, in seconds (hls.js only). */
  latency: number | null;
}

export interface Playback {
  protocol: PlayProtocol;
  destroy(): void;
}

const HLS_MIME = "application/vnd.apple.mpegurl";

/**
 * The `player` query parameter of the dashboard's URL (`?player=hls`) chooses HLS where the
 * browser could play HTTP-FLV too, to watch a stream's HLS output from the dashboard.
 */
export function requestedProtocol(search: string): "flv" | "hls" | null {
  const value = new URLSearchParams(search).get("player");
  return value === "flv" || value === "hls" ? value : null;
}

/**
 * Starts playing in `video`: HTTP-FLV through mpegts.js where Media Source Extensions can take it
 * (the lowest latency); else LL-HLS through hls.js (Media Source Extensions, or Safari's Managed
 * Media Source); else the browser's own HLS (`canPlayType`). Each player is loaded only when used.
 */
export async function startPlayback(options: {
  video: HTMLVideoElement;
  urls: DashboardPlayUrlInfo;
  requested: "flv" | "hls" | null;
  onFigures: (figures: PlayFigures) => void;
  onError: (error: Error) => void;
}): Promise<Playback> {
  const { video, urls, requested, onFigures, onError } = options;
  const absolute = (path: string) => new URL(path, window.location.href).href;
  // Muted, a browser lets a page start playing without a click.
  video.muted = true;
  if (requested !== "hls") {
    const { default: mpegts } = await import("mpegts.js");
    if (mpegts.getFeatureList().mseLivePlayback) {
      const player = mpegts.createPlayer(
        { type: "flv", isLive: true, url: absolute(urls.FlvUrl) },
        { enableWorker: false, liveBufferLatencyChasing: true, liveSync: true, lazyLoad: false },
      );
      player.on(mpegts.Events.ERROR, (type: string, detail: string, data: { msg?: string }) => {
        onError(
          new Error(`the player stopped: ${type} ${detail}${data?.msg ? `: ${data.msg}` : ""}`),
        );
      });
      player.on(
        mpegts.Events.STATISTICS_INFO,
        (stats: { speed?: number; decodedFrames?: number }) => {
          onFigures({
            kbps: stats.speed === undefined ? null : stats.speed * 8,
            decodedFrames: stats.decodedFrames ?? 0,
            latency: null,
          });
        },
      );
      player.attachMediaElement(video);
      player.load();
      void Promise.resolve(player.play()).catch(() => undefined);
      return { protocol: "flv", destroy: () => player.destroy() };
    }
  }
  // The light build: LL-HLS without subtitles, alternate audio or DRM, none of which OnAir serves.
  const { default: Hls } = await import("hls.js/light");
  if (Hls.isSupported()) {
    // No worker: the dashboard's Content-Security-Policy has no worker-src for blob: URLs.
    const hls = new Hls({ lowLatencyMode: true, enableWorker: false });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) onError(new Error(`the player stopped: ${data.type} ${data.details}`));
    });
    hls.on(Hls.Events.FRAG_BUFFERED, (_event, data) => {
      // The bytes of the part (LL-HLS) or segment just buffered over the media time they hold.
      const seconds = (data.part ?? data.frag).duration;
      onFigures({
        kbps: seconds > 0 ? (data.stats.loaded * 8) / seconds / 1000 : null,
        decodedFrames: video.getVideoPlaybackQuality().totalVideoFrames,
        latency: hls.latency,
      });
    });
    hls.loadSource(absolute(urls.HlsUrl));
    hls.attachMedia(video);
    void video.play().catch(() => undefined);
    return { protocol: "hls.js", destroy: () => hls.destroy() };
  }
  if (video.canPlayType(HLS_MIME) !== "") {
    video.src = absolute(urls.HlsUrl);
    void video.play().catch(() => undefined);
    return {
      protocol: "native-hls",
      destroy: () => {
        video.removeAttribute("src");
        video.load();
      },
    };
  }
  throw new Error("this browser can play neither HTTP-FLV nor HLS (no Media Source Extensions)");
}
