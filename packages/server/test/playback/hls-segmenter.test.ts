import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { FlvTag } from "../../src/media/flv-tag.js";
import { LiveSegmenter, type SegmenterOptions } from "../../src/playback/hls/live-segmenter.js";
import { writeMediaPlaylist } from "../../src/playback/hls/media-playlist.js";
import { findBoxes, readTraf } from "../helpers/mp4-boxes.js";

const SPS = Buffer.from("6742c01ed900a02ff97011000003000100000300320f162e48", "hex");
const AVC_HEADER = Buffer.concat([
  Buffer.from([0x17, 0, 0, 0, 0, 1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, SPS.length]),
  SPS,
  Buffer.from([1, 0, 4, 0x68, 0xce, 0x3c, 0x80]),
]);
const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x12, 0x10]);
const OPTIONS: SegmenterOptions = {
  segmentTargetMs: 2000,
  partTargetMs: 333,
  windowSegments: 6,
  maxBytes: 32 * 1024 * 1024,
};

/** A 25 fps video frame tag (keyframe every `gop` frames) with CompositionTime `cts` ms. */
function frame(index: number, options: { gop?: number; size?: number; cts?: number } = {}): FlvTag {
  const key = index % (options.gop ?? 25) === 0;
  const head = Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, options.cts ?? 0]);
  return {
    type: 9,
    timestamp: index * 40,
    data: Buffer.concat([head, Buffer.alloc(options.size ?? 100, index)]),
  };
}

/** AAC frames at 44.1 kHz: 1024 samples, 23.2 ms, timestamps rounded to ms as FLV has them. */
function audio(index: number): FlvTag {
  return {
    type: 8,
    timestamp: Math.round((index * 1024 * 1000) / 44100),
    data: Buffer.from([0xaf, 1, 0x21, index & 0xff]),
  };
}

/** Feeds `seconds` of interleaved audio and video, in timestamp order. */
function feed(
  segmenter: LiveSegmenter,
  seconds: number,
  frameOptions: Parameters<typeof frame>[1] = {},
): void {
  segmenter.onTag({ type: 8, timestamp: 0, data: AAC_HEADER });
  segmenter.onTag({ type: 9, timestamp: 0, data: AVC_HEADER });
  let a = 0;
  for (let v = 0; v < seconds * 25; v++) {
    const tag = frame(v, frameOptions);
    while (audio(a).timestamp <= tag.timestamp) segmenter.onTag(audio(a++));
    segmenter.onTag(tag);
  }
}

describe("live segmenter", () => {
  test("segments cut at keyframes once 2 s long, parts at most the part target, decode times contiguous", () => {
    let now = 1_000_000;
    const segmenter = new LiveSegmenter(OPTIONS, () => now);
    feed(segmenter, 9, { cts: 80 });
    now += 9000;
    segmenter.onEnd();
    const durations = segmenter.segments.map((s) => s.duration);
    assert.deepEqual(durations.slice(0, 4), [2, 2, 2, 2]);
    // The last, written at the end: its last frame gets the previous duration.
    assert.equal(durations.at(-1), 1);
    const next = { 1: -1, 2: -1 } as Record<number, number>;
    for (const segment of segmenter.segments) {
      assert.ok(segment.parts[0]?.independent, "a segment starts with a keyframe");
      for (const part of segment.parts) {
        assert.ok(part.duration <= 0.333 + 1e-9, `part of ${part.duration} s`);
        for (const traf of findBoxes(part.data, "moof/traf").map((b) => readTraf(b.body))) {
          if ((next[traf.trackId] as number) >= 0)
            assert.equal(traf.baseDecodeTime, next[traf.trackId]);
          next[traf.trackId] =
            traf.baseDecodeTime + traf.entries.reduce((sum, e) => sum + e.duration, 0);
          if (traf.trackId === 1)
            assert.ok(traf.entries.every((e) => e.compositionOffset === 80 * 90));
        }
      }
    }
    // 9 s of video at 90 kHz, and the audio up to its last frame.
    assert.equal(next[1], 9 * 90_000);
    assert.ok(Math.abs((next[2] as number) - 9 * 44_100) < 2048);
  });

  test("30 fps with millisecond timestamps (33 and 34 ms frames): no part over the target", () => {
    const segmenter = new LiveSegmenter(OPTIONS, () => 0);
    segmenter.onTag({ type: 9, timestamp: 0, data: AVC_HEADER });
    for (let v = 0; v < 300; v++) {
      const tag = frame(v, { gop: 30 });
      segmenter.onTag({ ...tag, timestamp: Math.round((v * 1000) / 30) });
    }
    const parts = segmenter.segments.flatMap((s) => s.parts);
    assert.ok(parts.length > 20);
    for (const part of parts) assert.ok(part.duration <= 0.333, `part of ${part.duration} s`);
    // At least 85 % of the target but for a segment's last part (RFC 8216bis §4.4.4.9).
    for (const segment of segmenter.segments) {
      for (const part of segment.parts.slice(0, -1)) assert.ok(part.duration >= 0.85 * 0.333);
    }
  });

  test("the window keeps windowSegments segments and the playlist lists them with their parts", () => {
    const segmenter = new LiveSegmenter(OPTIONS, () => 1_000_000);
    feed(segmenter, 20);
    assert.equal(segmenter.segments.length, 6);
    const uris = {
      init: (v: number) => `init-${v}.mp4`,
      segment: (m: number) => `seg-${m}.m4s`,
      part: (m: number, i: number) => `part-${m}.${i}.m4s`,
    };
    const playlist = writeMediaPlaylist(segmenter, uris);
    const first = segmenter.segments[0]?.msn as number;
    assert.match(playlist, new RegExp(`#EXT-X-MEDIA-SEQUENCE:${first}\n`));
    assert.match(playlist, /#EXT-X-TARGETDURATION:2\n/);
    assert.match(
      playlist,
      /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0\.999,HOLD-BACK=6\.0\n/,
    );
    assert.match(playlist, /#EXT-X-PART-INF:PART-TARGET=0\.333\n/);
    assert.equal(playlist.match(/#EXTINF:2\.0,/g)?.length, 6);
    const current = segmenter.current;
    assert.ok(current);
    assert.ok(
      playlist.includes(
        `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-${current.msn}.${current.parts.length}.m4s"`,
      ),
    );
    // Parts are listed for the last three target durations only, the oldest segments without.
    assert.ok(!playlist.includes(`part-${first}.0.m4s`));
    assert.ok(playlist.includes(`URI="part-${first + 5}.0.m4s",INDEPENDENT=YES`));
    segmenter.onEnd();
    assert.match(writeMediaPlaylist(segmenter, uris), /#EXT-X-ENDLIST\n$/);
  });

  test("memory: a GOP far past the bound is cut at parts, and the window stays under maxBytes", () => {
    const maxBytes = 1024 * 1024;
    const segmenter = new LiveSegmenter({ ...OPTIONS, maxBytes }, () => 0);
    let peak = 0;
    segmenter.onChange(() => {
      peak = Math.max(peak, segmenter.bytes);
    });
    // One keyframe only, 20 KB frames: 500 KB/s, never a keyframe again.
    feed(segmenter, 12, { gop: 100_000, size: 20_000 });
    assert.ok(peak <= maxBytes + 20_000 * 10, `peak ${peak}`);
    // 6 MB in segments of half the bound each (numbered from 0: the clock is at 0).
    assert.ok(segmenter.liveMsn >= 8, `at segment ${segmenter.liveMsn}`);
    assert.ok(segmenter.segments.length >= 1);
    assert.equal(segmenter.segments.at(-1)?.parts[0]?.independent, false);
  });

  test("a new video sequence header starts a new init after a discontinuity", () => {
    const segmenter = new LiveSegmenter(OPTIONS, () => 0);
    feed(segmenter, 3);
    const changed = Buffer.from(AVC_HEADER);
    changed[7] = 0x1f;
    segmenter.onTag({ type: 9, timestamp: 3000, data: changed });
    for (let v = 75; v < 150; v++) segmenter.onTag(frame(v));
    const playlist = writeMediaPlaylist(segmenter, {
      init: (v) => `init-${v}.mp4`,
      segment: (m) => `seg-${m}.m4s`,
      part: (m, i) => `part-${m}.${i}.m4s`,
    });
    assert.equal(playlist.match(/#EXT-X-MAP/g)?.length, 2);
    assert.equal(playlist.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 1);
  });

  test("any tags (fast-check): no throw, contiguous output, bytes within the bound", () => {
    const tagArb = fc.record({
      type: fc.constantFrom<8 | 9 | 18>(8, 9, 18),
      step: fc.integer({ min: -50, max: 500 }),
      data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      prefix: fc.constantFrom(
        [0x17, 1, 0, 0, 0],
        [0x27, 1, 0xff, 0xff, 0xf0],
        [0x17, 0],
        [0xaf, 1],
        [0x91, 0x68, 0x76, 0x63, 0x31],
        [],
      ),
    });
    fc.assert(
      fc.property(fc.array(tagArb, { maxLength: 300 }), (tags) => {
        const maxBytes = 1024 * 1024;
        const segmenter = new LiveSegmenter({ ...OPTIONS, maxBytes }, () => 0);
        segmenter.onTag({ type: 8, timestamp: 0, data: AAC_HEADER });
        segmenter.onTag({ type: 9, timestamp: 0, data: AVC_HEADER });
        let timestamp = 0;
        for (const t of tags) {
          timestamp = (timestamp + t.step) >>> 0;
          segmenter.onTag({
            type: t.type,
            timestamp,
            data: Buffer.concat([Buffer.from(t.prefix), t.data]),
          });
        }
        segmenter.onEnd();
        assert.ok(segmenter.bytes <= maxBytes);
        for (const segment of segmenter.segments) {
          for (const part of segment.parts)
            assert.ok(findBoxes(part.data, "moof/traf").length >= 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("playlist delta updates (RFC 8216bis §6.2.5.1)", () => {
  const uris = {
    init: (v: number) => `init-${v}.mp4`,
    segment: (m: number) => `seg-${m}.m4s`,
    part: (m: number, i: number) => `part-${m}.${i}.m4s`,
  };

  test("a window under 12 segments advertises no CAN-SKIP-UNTIL and answers _HLS_skip in full", () => {
    const segmenter = new LiveSegmenter(OPTIONS, () => 1_000_000);
    feed(segmenter, 20);
    const full = writeMediaPlaylist(segmenter, uris);
    assert.ok(!full.includes("CAN-SKIP-UNTIL"), full);
    assert.equal(writeMediaPlaylist(segmenter, uris, { delta: true }), full);
  });

  test("12 segments: CAN-SKIP-UNTIL of six target durations; the delta skips what ends before it, the rest is the full playlist's tail", () => {
    const segmenter = new LiveSegmenter({ ...OPTIONS, windowSegments: 12 }, () => 1_000_000);
    feed(segmenter, 30);
    const full = writeMediaPlaylist(segmenter, uris);
    const delta = writeMediaPlaylist(segmenter, uris, { delta: true });
    assert.match(
      full,
      /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0\.999,HOLD-BACK=6\.0,CAN-SKIP-UNTIL=12\.0\n/,
    );
    // 12 segments of 2 s (4 s to 28 s) and the one being cut: those ending 12 s or more before
    // the playlist's end are skipped, 4 s to 16 s.
    const skipped = Number(/#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)\n/.exec(delta)?.[1]);
    assert.equal(skipped, 6);
    const listed = [...segmenter.segments, segmenter.current].filter((s) => s !== null);
    const length = (s: (typeof listed)[number]) =>
      s.duration || s.parts.reduce((sum, p) => sum + p.duration, 0);
    const end = listed.reduce((sum, s) => sum + length(s), 0);
    const endOf = (n: number) => listed.slice(0, n).reduce((sum, s) => sum + length(s), 0);
    assert.ok(end - endOf(skipped) >= 12, "the last skipped segment ends before the boundary");
    assert.ok(end - endOf(skipped + 1) < 12, "the first one listed does not");
    // The same media sequence: the skipped segments are still counted.
    const first = segmenter.segments[0]?.msn as number;
    assert.ok(delta.includes(`#EXT-X-MEDIA-SEQUENCE:${first}\n`));
    assert.ok(!delta.includes(`seg-${first + skipped - 1}.m4s`));
    // Header as the full playlist's; then EXT-X-SKIP, the init in effect, and the full tail.
    const fullLines = full.split("\n");
    const headerEnd = fullLines.findIndex((l) => l.startsWith("#EXT-X-MAP"));
    const pdt = fullLines.flatMap((l, i) => (l.startsWith("#EXT-X-PROGRAM-DATE-TIME") ? [i] : []));
    assert.deepEqual(delta.split("\n"), [
      ...fullLines.slice(0, headerEnd),
      `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`,
      fullLines[headerEnd],
      ...fullLines.slice(pdt[skipped]),
    ]);
    assert.ok(delta.includes(`seg-${first + skipped}.m4s`));
    assert.match(delta, /#EXT-X-PRELOAD-HINT:TYPE=PART/);
    assert.ok(delta.length < full.length);
  });

  test("nothing ends before the boundary yet, or the stream ended: the full playlist", () => {
    const young = new LiveSegmenter({ ...OPTIONS, windowSegments: 12 }, () => 1_000_000);
    // 6 complete segments and the one being cut: none ends 12 s before the end.
    feed(young, 13);
    const full = writeMediaPlaylist(young, uris);
    assert.match(full, /CAN-SKIP-UNTIL=12\.0/);
    assert.equal(writeMediaPlaylist(young, uris, { delta: true }), full);
    const ended = new LiveSegmenter({ ...OPTIONS, windowSegments: 12 }, () => 1_000_000);
    feed(ended, 30);
    ended.onEnd();
    // RFC 8216bis §6.2.5.1: _HLS_skip is ignored once the playlist has EXT-X-ENDLIST.
    const endedFull = writeMediaPlaylist(ended, uris);
    assert.match(endedFull, /#EXT-X-ENDLIST\n$/);
    assert.equal(writeMediaPlaylist(ended, uris, { delta: true }), endedFull);
  });
});
