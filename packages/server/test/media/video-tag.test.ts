import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { avcDimensionsFromSps } from "../../src/media/avc-sps.js";
import { hevcDimensionsFromSps } from "../../src/media/hevc-sps.js";
import { dimensionsFromSequenceHeader, inspectVideoTag } from "../../src/media/video-tag.js";

/**
 * SPS NAL units written by Debian's libx264 (ffmpeg 5.1):
 * `ffmpeg -f lavfi -i testsrc=size=WxH -frames:v 1 -pix_fmt yuv420p -c:v libx264 -profile:v P -f h264`.
 * 360 and 1080 are not multiples of 16, so those rely on frame cropping; the last is 4:4:4
 * (testsrc without -pix_fmt), which takes the chroma_format_idc = 3 branch.
 */
const SPS: [string, number, number, string][] = [
  ["baseline 640x360", 640, 360, "6742c01ed900a02ff97011000003000100000300320f162e48"],
  ["high 640x360", 640, 360, "6764001eacd940a02ff97011000003000100000300320f162d96"],
  ["baseline 1920x1080", 1920, 1080, "6742c028d900780227e5c044000003000400000300c83c60c920"],
  ["high 1920x1080", 1920, 1080, "67640028acd940780227e5c044000003000400000300c83c60c658"],
  ["high 1280x720", 1280, 720, "6764001facd9405005bb011000000300100000030320f1831960"],
  ["high 854x480", 854, 480, "6764001eacd940d83de6f011000003000100000300320f162d96"],
  ["high 4:4:4 640x360", 640, 360, "67f4001e919b281405ff1380880000030008000003019078b16cb0"],
];

/** An FLV AVC sequence header tag body around one SPS (and no PPS, which the size does not need). */
function sequenceHeader(sps: Buffer): Buffer {
  const record = Buffer.concat([
    Buffer.from([1, sps[1] as number, sps[2] as number, sps[3] as number, 0xff, 0xe1]),
    Buffer.from([sps.length >> 8, sps.length & 0xff]),
    sps,
    Buffer.from([0]),
  ]);
  return Buffer.concat([Buffer.from([0x17, 0x00, 0, 0, 0]), record]);
}

describe("picture size from the H.264 and H.265 sequence headers", () => {
  for (const [name, width, height, hex] of SPS) {
    test(name, () => {
      assert.deepEqual(avcDimensionsFromSps(Buffer.from(hex, "hex")), { width, height });
      assert.deepEqual(dimensionsFromSequenceHeader(sequenceHeader(Buffer.from(hex, "hex"))), {
        width,
        height,
      });
    });
  }

  /** H.265 SPS from `-c:v libx265 -f hevc` (Debian's ffmpeg 5.1): 360 and 1080 need cropping. */
  const HEVC_SPS: [string, number, number, string][] = [
    [
      "hevc 640x360",
      640,
      360,
      "42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321",
    ],
    [
      "hevc 1920x1080",
      1920,
      1080,
      "420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84",
    ],
  ];
  /** An HEVCDecoderConfigurationRecord holding one SPS array. */
  const hvcc = (sps: Buffer) =>
    Buffer.concat([
      Buffer.from([1]),
      Buffer.alloc(21),
      Buffer.from([1, 0x80 | 33, 0, 1, sps.length >> 8, sps.length & 0xff]),
      sps,
    ]);
  for (const [name, width, height, hex] of HEVC_SPS) {
    test(`${name}: from the SPS, an Enhanced RTMP hvc1 SequenceStart and a legacy codec 12 tag`, () => {
      const sps = Buffer.from(hex, "hex");
      assert.deepEqual(hevcDimensionsFromSps(sps), { width, height });
      const enhanced = Buffer.concat([Buffer.from([0x90]), Buffer.from("hvc1"), hvcc(sps)]);
      assert.deepEqual(dimensionsFromSequenceHeader(enhanced), { width, height });
      const legacy = Buffer.concat([Buffer.from([0x1c, 0, 0, 0, 0]), hvcc(sps)]);
      assert.deepEqual(dimensionsFromSequenceHeader(legacy), { width, height });
    });
  }

  test("tags are classified: legacy keyframes, sequence headers, enhanced FourCCs", () => {
    assert.deepEqual(inspectVideoTag(Buffer.from([0x17, 0x00])), {
      codec: "avc",
      keyframe: true,
      sequenceHeader: true,
    });
    assert.deepEqual(inspectVideoTag(Buffer.from([0x27, 0x01])), {
      codec: "avc",
      keyframe: false,
      sequenceHeader: false,
    });
    // Enhanced RTMP: IsExHeader | keyframe << 4 | SequenceStart, then "hvc1".
    assert.deepEqual(inspectVideoTag(Buffer.from([0x90, 0x68, 0x76, 0x63, 0x31])), {
      codec: "hevc",
      keyframe: true,
      sequenceHeader: true,
    });
    assert.equal(inspectVideoTag(Buffer.alloc(0)).codec, "unknown");
  });

  test("arbitrary bytes never throw: the size is informative, never a reason to fail", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const size of [avcDimensionsFromSps(bytes), hevcDimensionsFromSps(bytes)]) {
          assert.ok(size === null || (size.width > 0 && size.height > 0));
        }
        dimensionsFromSequenceHeader(
          Buffer.concat([Buffer.from([0x90]), Buffer.from("hvc1"), Buffer.from(bytes)]),
        );
        dimensionsFromSequenceHeader(Buffer.concat([Buffer.from([0x17, 0]), Buffer.from(bytes)]));
      }),
      { numRuns: 5000 },
    );
  });
});
