import { type FfmpegPublisher, publishWithFfmpeg } from "./ffmpeg-publisher.js";
import { frameStampFilter } from "./frame-stamp.js";
import type { TestOnAir } from "./test-onair.js";
import { waitFor } from "./wait-for.js";

/**
 * The publisher of the glass-to-glass tests (helpers/glass-to-glass.ts): ffmpeg pushes a
 * 320x180 picture stamped with its frame number, one keyframe a second, x264 zerolatency, to
 * `live/<stream>`. Resolves once the stream is live, with the moment ffmpeg's clock started.
 */
export async function publishStamped(
  t: TestOnAir,
  stream: string,
  options: { seconds: number; fps: number },
): Promise<{ publisher: FfmpegPublisher; clockStarted: number }> {
  const publisher = publishWithFfmpeg(t.rtmpUrl(`live/${stream}`), {
    seconds: options.seconds,
    size: "320x180",
    fps: options.fps,
    gop: options.fps,
    videoFilter: frameStampFilter(),
    zerolatency: true,
    reportClock: true,
  });
  const clockStarted = await publisher.clockStarted;
  await waitFor(
    `${stream} live`,
    async () => (await t.onair.store.streams.list({ streamName: stream })).length === 1,
  );
  return { publisher, clockStarted };
}
