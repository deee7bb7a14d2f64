import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { decodeFrameStamp } from "./frame-stamp.js";

/**
 * Glass-to-glass latency in a real browser: a page on OnAir's own origin plays a stream whose
 * pictures carry their frame number (helpers/frame-stamp.ts, published with `reportClock`), draws
 * each frame the video element presents into a canvas (requestVideoFrameCallback), reads the
 * number and records `shown − (clockStarted + N / fps)`: the time from the moment ffmpeg read
 * (captured) frame N to the moment the browser puts it on screen. Both ends use Date.now() on
 * this machine, so the clocks are one.
 *
 * Players: mpegts.js for HTTP-FLV (as the dashboard plays it), hls.js for HLS with
 * `lowLatencyMode` on ("ll-hls") or off ("hls").
 */
export type GlassPlayer = "flv" | "hls" | "ll-hls";

export interface GlassToGlassFigures {
  /** Frames whose number was read in the window. */
  frames: number;
  /** Frames presented whose number could not be read. */
  unreadable: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** How often the video element stopped for want of data (`waiting` events) in the window. */
  stalls: number;
  /** How far the video element's currentTime advanced over the window, in seconds. */
  currentTimeAdvance: number;
  /** hls.js's own estimate of the distance to the live edge (`hls.latency`), in seconds. */
  hlsLatency: number | null;
  /**
   * Date.now() minus hls.js's `playingDate` (the EXT-X-PROGRAM-DATE-TIME at currentTime: when
   * OnAir received that frame), in ms at the end of the window: a check of the picture-read
   * figures that needs no stamp.
   */
  programDateLatencyMs: number | null;
  /** The end of what the video element has buffered minus currentTime, in seconds, at the end. */
  bufferedAhead: number | null;
}

export interface GlassToGlass {
  /** Resolves once the page has shown a stamped frame (playback really started). */
  started(timeoutMs?: number): Promise<void>;
  /** Forgets what was seen so far, waits `ms`, and returns the figures of that window. */
  measure(ms: number): Promise<GlassToGlassFigures>;
}

const require = createRequire(import.meta.url);
// The dashboard's dependencies; their UMD builds define window.mpegts and window.Hls.
const SCRIPTS: Record<GlassPlayer, string> = {
  flv: join(dirname(require.resolve("mpegts.js")), "mpegts.js"),
  hls: require.resolve("hls.js/dist/hls.min.js"),
  "ll-hls": require.resolve("hls.js/dist/hls.min.js"),
};

/** The page's path on the origin: same origin as the stream, so no CORS is involved. */
const PAGE_PATH = "/__glass-to-glass.html";

interface PageOptions {
  player: GlassPlayer;
  url: string;
  clockStarted: number;
  fps: number;
}

/**
 * Opens the measuring page on `origin` (OnAir's HTTP URL; the page itself is served by the
 * browser's request interception) and starts playing `url` (absolute, on that origin).
 */
export async function openGlassToGlass(
  page: Page,
  options: { origin: string } & PageOptions,
): Promise<GlassToGlass> {
  await page.route(`${options.origin}${PAGE_PATH}`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: '<!doctype html><meta charset="utf-8"><video muted playsinline></video>',
    }),
  );
  await page.goto(`${options.origin}${PAGE_PATH}`);
  await page.addScriptTag({ path: SCRIPTS[options.player] });
  await page.addScriptTag({ content: `window.decodeFrameStamp = ${decodeFrameStamp.toString()};` });
  const pageOptions: PageOptions = {
    player: options.player,
    url: options.url,
    clockStarted: options.clockStarted,
    fps: options.fps,
  };
  await page.evaluate(startInPage, pageOptions);
  return {
    async started(timeoutMs = 15_000) {
      await page.waitForFunction(() => window.glass.read.length > 0, undefined, {
        timeout: timeoutMs,
      });
    },
    async measure(ms) {
      await page.evaluate(() => window.glass.reset());
      await page.waitForTimeout(ms);
      return page.evaluate(() => window.glass.figures());
    },
  };
}

/** What the page keeps on window.glass. */
interface GlassState {
  read: number[];
  unreadable: number;
  stalls: number;
  startTime: number;
  reset(): void;
  figures(): GlassToGlassFigures;
}

interface HlsInstance {
  latency: number;
  playingDate: Date | null;
  loadSource(url: string): void;
  attachMedia(video: HTMLVideoElement): void;
}
interface MpegtsPlayer {
  attachMediaElement(video: HTMLVideoElement): void;
  load(): void;
}

declare global {
  interface Window {
    glass: GlassState;
    hls?: HlsInstance;
    decodeFrameStamp: typeof decodeFrameStamp;
    Hls: new (config: Record<string, unknown>) => HlsInstance;
    mpegts: {
      createPlayer(source: Record<string, unknown>, config: Record<string, unknown>): MpegtsPlayer;
    };
  }
}

/** Runs in the page (serialized by playwright): names from this module are not in scope. */
function startInPage(options: PageOptions): void {
  const video = document.querySelector("video") as HTMLVideoElement;
  if (options.player === "flv") {
    const player = window.mpegts.createPlayer(
      { type: "flv", isLive: true, url: options.url },
      { enableWorker: false, liveBufferLatencyChasing: true, liveSync: true, lazyLoad: false },
    );
    player.attachMediaElement(video);
    player.load();
  } else {
    // As the dashboard's player: up to 1.5× speed to come back to the target latency after a stall.
    const hls = new window.Hls({
      lowLatencyMode: options.player === "ll-hls",
      maxLiveSyncPlaybackRate: 1.5,
    });
    hls.loadSource(options.url);
    hls.attachMedia(video);
    window.hls = hls;
  }
  void video.play().catch(() => undefined);

  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
  const state: GlassState = {
    read: [],
    unreadable: 0,
    stalls: 0,
    startTime: 0,
    reset() {
      state.read = [];
      state.unreadable = 0;
      state.stalls = 0;
      state.startTime = video.currentTime;
    },
    figures() {
      const sorted = [...state.read].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
      const buffered =
        video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : null;
      return {
        frames: sorted.length,
        unreadable: state.unreadable,
        stalls: state.stalls,
        p50Ms: at(0.5),
        p95Ms: at(0.95),
        minMs: sorted[0] ?? Number.NaN,
        maxMs: sorted.at(-1) ?? Number.NaN,
        currentTimeAdvance: video.currentTime - state.startTime,
        hlsLatency: window.hls ? window.hls.latency : null,
        programDateLatencyMs: window.hls?.playingDate
          ? Date.now() - window.hls.playingDate.getTime()
          : null,
        bufferedAhead: buffered === null ? null : buffered - video.currentTime,
      };
    },
  };
  window.glass = state;
  video.addEventListener("waiting", () => {
    state.stalls++;
  });
  const onFrame = (now: DOMHighResTimeStamp, frame: VideoFrameCallbackMetadata) => {
    // The wall time the frame goes on screen: now, plus how long until it is displayed.
    const shown = Date.now() + Math.max(0, frame.expectedDisplayTime - now);
    const { width, height } = frame;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.drawImage(video, 0, 0, width, height);
    const band = context.getImageData(0, 0, width, Math.ceil(height / 6)).data;
    const n = window.decodeFrameStamp(band, width, height);
    if (n === null) state.unreadable++;
    else state.read.push(shown - (options.clockStarted + (n * 1000) / options.fps));
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
