import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FlvTag } from "../../src/media/flv-tag.js";
import { LiveViewer } from "../../src/media/live-viewer.js";
import { MediaFanout, type TagSink } from "../../src/media/media-fanout.js";
import { PlaySource } from "../../src/media/play-source.js";
import type { PublishedStream } from "../../src/media/published-stream.js";

const metadata: FlvTag = { type: 18, timestamp: 0, data: Buffer.from("meta") };
const avcHeader: FlvTag = { type: 9, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1]) };
const aacHeader: FlvTag = { type: 8, timestamp: 0, data: Buffer.from([0xaf, 0, 0x12, 0x10]) };
const key = (ts: number, size = 10): FlvTag => ({
  type: 9,
  timestamp: ts,
  data: Buffer.alloc(size, 0x17).fill(1, 1, 2),
});
const inter = (ts: number, size = 10): FlvTag => ({
  type: 9,
  timestamp: ts,
  data: Buffer.alloc(size, 0x27).fill(1, 1, 2),
});
const audio = (ts: number): FlvTag => ({ type: 8, timestamp: ts, data: Buffer.from([0xaf, 1, 9]) });

/** A published stream over the real fan-out, as LivePublish keeps one. */
function stream(): { published: PublishedStream; fanout: MediaFanout } {
  const fanout = new MediaFanout();
  const published: PublishedStream = {
    key: { domainName: "d", appName: "live", streamName: "s" },
    sequence: "1",
    streamParam: "",
    startedAtMs: 0,
    clientIp: "127.0.0.1",
    serverIp: "127.0.0.1",
    peerChunkSize: 0,
    width: 0,
    height: 0,
    videoCodec: "",
    pushed: Promise.resolve(),
    get closed() {
      return fanout.closed;
    },
    subscribe: (sink) => fanout.subscribe(sink),
  };
  return { published, fanout };
}

function publish(fanout: MediaFanout, tag: FlvTag): void {
  const header = tag === avcHeader || tag === aacHeader;
  fanout.publish(tag, { sequenceHeader: header });
}

class Recorder implements TagSink {
  tags: FlvTag[] = [];
  ended = 0;
  onTag(tag: FlvTag): void {
    this.tags.push(tag);
  }
  onEnd(): void {
    this.ended++;
  }
}

describe("PlaySource: what a viewer starts with", () => {
  test("metadata, both sequence headers, then the GOP from its keyframe (audio included)", () => {
    const { published, fanout } = stream();
    const source = new PlaySource(published, { maxGopBytes: 1000 });
    for (const tag of [metadata, aacHeader, avcHeader, audio(0), key(0), inter(40), audio(46)])
      publish(fanout, tag);
    publish(fanout, key(1000));
    publish(fanout, audio(1010));
    publish(fanout, inter(1040));
    const viewer = new Recorder();
    source.add(viewer);
    assert.deepEqual(
      viewer.tags.map((t) => [t.type, t.timestamp]),
      [
        [18, 0],
        [8, 0],
        [9, 0],
        [9, 1000],
        [8, 1010],
        [9, 1040],
      ],
    );
    publish(fanout, inter(1080));
    assert.equal(viewer.tags.at(-1)?.timestamp, 1080, "then the live tags");
    fanout.close();
    assert.equal(viewer.ended, 1);
    assert.equal(source.ended, true);
  });

  test("a GOP past maxGopBytes is not cached: a viewer waits for the next keyframe", () => {
    const { published, fanout } = stream();
    const source = new PlaySource(published, { maxGopBytes: 100 });
    for (const tag of [avcHeader, key(0, 60), inter(40, 60)]) publish(fanout, tag);
    const viewer = new Recorder();
    source.add(viewer);
    assert.deepEqual(viewer.tags, [avcHeader]);
    publish(fanout, key(1000, 60));
    const next = new Recorder();
    source.add(next);
    assert.deepEqual(
      next.tags.map((t) => t.timestamp),
      [0, 1000],
    );
  });

  test("Enhanced RTMP (HEVC): its SequenceStart and keyframes are cached and passed as received", () => {
    const { published, fanout } = stream();
    const source = new PlaySource(published, { maxGopBytes: 1000 });
    // byte 0: IsExHeader | frameType << 4 | packetType; then the FourCC (E-RTMP v1).
    const hvc1 = (frameType: number, packetType: number, ts: number): FlvTag => ({
      type: 9,
      timestamp: ts,
      data: Buffer.concat([
        Buffer.from([0x80 | (frameType << 4) | packetType]),
        Buffer.from("hvc1"),
        Buffer.from([1, 2, 3]),
      ]),
    });
    const header = hvc1(1, 0, 0);
    fanout.publish(header, { sequenceHeader: true });
    for (const tag of [hvc1(1, 1, 0), hvc1(2, 3, 40), hvc1(1, 1, 1000), hvc1(2, 1, 1040)])
      fanout.publish(tag, { sequenceHeader: false });
    const viewer = new Recorder();
    source.add(viewer);
    assert.deepEqual(viewer.tags[0], header); // the same bytes (headers reach sinks as copies)
    assert.deepEqual(
      viewer.tags.slice(1).map((t) => t.timestamp),
      [1000, 1040],
    );
    assert.ok(viewer.tags.every((t) => t.data.toString("latin1", 1, 5) === "hvc1"));
  });

  test("a viewer that joins after the end gets onEnd at once", () => {
    const { published, fanout } = stream();
    const source = new PlaySource(published, { maxGopBytes: 100 });
    fanout.close();
    const viewer = new Recorder();
    source.add(viewer);
    assert.equal(viewer.ended, 1);
  });
});

describe("LiveViewer: the slow-viewer policy", () => {
  /** An output whose unsent bytes the test sets. */
  function output() {
    const state = {
      queued: 0,
      written: [] as { ts: number; type: number }[],
      evicted: "",
      ended: false,
    };
    return {
      state,
      out: {
        queuedBytes: () => state.queued,
        write: (tag: FlvTag, ts: number) => {
          state.written.push({ ts, type: tag.type });
          return tag.data.length;
        },
        evict: (detail: string) => {
          state.evicted = detail;
        },
        end: () => {
          state.ended = true;
        },
      },
    };
  }

  test("timestamps from 0 at the first media tag; headers at the current time", () => {
    const { state, out } = output();
    const viewer = new LiveViewer(out, { maxQueuedBytes: 100, maxSkippedKeyframes: 3 });
    for (const tag of [metadata, avcHeader, key(5000), audio(4990), inter(5040)]) viewer.onTag(tag);
    assert.deepEqual(
      state.written.map((w) => w.ts),
      [0, 0, 0, 0, 40],
      "audio just before the keyframe is not sent back in time",
    );
  });

  test("behind: skips to the next keyframe, resumes there once caught up", () => {
    const { state, out } = output();
    const viewer = new LiveViewer(out, { maxQueuedBytes: 100, maxSkippedKeyframes: 3 });
    viewer.onTag(avcHeader);
    viewer.onTag(key(0));
    state.queued = 500;
    viewer.onTag(inter(40));
    viewer.onTag(audio(50));
    state.queued = 0;
    viewer.onTag(inter(80));
    assert.equal(viewer.skipped, 3, "the rest of the GOP is skipped even once caught up");
    viewer.onTag(key(1000));
    viewer.onTag(inter(1040));
    assert.deepEqual(
      state.written.map((w) => w.ts),
      [0, 0, 1000, 1040],
    );
    assert.equal(state.evicted, "");
  });

  test("still behind at maxSkippedKeyframes keyframes in a row: evicted once, nothing after", () => {
    const { state, out } = output();
    const viewer = new LiveViewer(out, { maxQueuedBytes: 100, maxSkippedKeyframes: 2 });
    viewer.onTag(avcHeader);
    viewer.onTag(key(0));
    state.queued = 500;
    viewer.onTag(key(1000));
    assert.equal(state.evicted, "");
    viewer.onTag(key(2000));
    assert.match(state.evicted, /more than 100 bytes behind at 2 keyframes in a row/);
    const written = state.written.length;
    viewer.onTag(key(3000));
    viewer.onEnd();
    assert.equal(state.written.length, written);
    assert.equal(state.ended, false, "an evicted viewer is not ended again");
  });

  test("a viewer joining between keyframes starts at the next one", () => {
    const { state, out } = output();
    const viewer = new LiveViewer(out, { maxQueuedBytes: 100, maxSkippedKeyframes: 3 });
    for (const tag of [avcHeader, aacHeader, inter(40), audio(50), key(1000), audio(1010)])
      viewer.onTag(tag);
    assert.deepEqual(
      state.written.map((w) => [w.type, w.ts]),
      [
        [9, 0],
        [8, 0],
        [9, 0],
        [8, 10],
      ],
    );
  });

  test("sequence headers and metadata are never skipped", () => {
    const { state, out } = output();
    const viewer = new LiveViewer(out, { maxQueuedBytes: 100, maxSkippedKeyframes: 9 });
    viewer.onTag(avcHeader);
    state.queued = 500;
    viewer.onTag(inter(40));
    viewer.onTag(avcHeader);
    viewer.onTag(metadata);
    assert.deepEqual(
      state.written.map((w) => w.type),
      [9, 9, 18],
    );
  });
});
