import assert from "node:assert/strict";
import { test } from "node:test";
import type { FlvTag } from "../../src/media/flv-tag.js";
import { CutPoints, type TagRole } from "../../src/recording/cut-points.js";

/** FLV tag bodies as an H.264/AAC publisher sends them (legacy codec ids 7 and 10). */
const tag = (type: FlvTag["type"], bytes: number[], timestamp = 0): FlvTag => ({
  type,
  timestamp,
  data: Buffer.from(bytes),
});
const METADATA = tag(18, [2, 0, 10]);
const AVC_HEADER = tag(9, [0x17, 0, 0, 0, 0]);
const KEYFRAME = tag(9, [0x17, 1, 0, 0, 0], 40);
const INTER = tag(9, [0x27, 1, 0, 0, 0], 80);
const AAC_HEADER = tag(8, [0xaf, 0, 0x12, 0x10]);
const AAC_FRAME = tag(8, [0xaf, 1, 0x21], 23);

const roles = (cuts: CutPoints, tags: FlvTag[]): TagRole[] => tags.map((t) => cuts.role(t));

test("with video, files cut at keyframes; metadata and sequence headers are kept", () => {
  const cuts = new CutPoints();
  assert.deepEqual(roles(cuts, [METADATA, AVC_HEADER, AAC_HEADER, AAC_FRAME, KEYFRAME, INTER]), [
    "header",
    "header",
    "header",
    "frame",
    "cut",
    "frame",
  ]);
  assert.deepEqual(cuts.headers, { metadata: METADATA, video: AVC_HEADER, audio: AAC_HEADER });
});

test("a stream without video cuts at any audio frame", () => {
  const cuts = new CutPoints();
  assert.deepEqual(roles(cuts, [METADATA, AAC_HEADER, AAC_FRAME, AAC_FRAME]), [
    "header",
    "header",
    "cut",
    "cut",
  ]);
});

test("an audio-only recording skips video and metadata, cuts at any audio frame", () => {
  const cuts = new CutPoints("audio");
  assert.deepEqual(roles(cuts, [METADATA, AVC_HEADER, AAC_HEADER, KEYFRAME, AAC_FRAME, INTER]), [
    "skip",
    "skip",
    "header",
    "skip",
    "cut",
    "skip",
  ]);
  assert.deepEqual(cuts.headers, { audio: AAC_HEADER });
});

test("a video-only stream gives an audio-only recording nothing to start at", () => {
  const cuts = new CutPoints("audio");
  assert.ok(roles(cuts, [METADATA, AVC_HEADER, KEYFRAME, INTER]).every((r) => r === "skip"));
});
