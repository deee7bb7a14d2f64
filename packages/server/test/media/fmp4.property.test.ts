import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { buildFragment, type Sample } from "../../src/media/fmp4/fragment.js";
import { buildInitSegment } from "../../src/media/fmp4/init-segment.js";
import { audioTrackConfig, videoTrackConfig } from "../../src/media/fmp4/track-config.js";
import { findBoxes, readBoxes, readTraf } from "../helpers/mp4-boxes.js";

/** An SPS of Debian's libx264 (baseline 640x360, as in video-tag.test.ts). */
const SPS = Buffer.from("6742c01ed900a02ff97011000003000100000300320f162e48", "hex");
const PPS = Buffer.from("68ce3c80", "hex");
const AVC_RECORD = Buffer.concat([
  Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, SPS.length]),
  SPS,
  Buffer.from([1, 0, PPS.length]),
  PPS,
]);
/** FLV AVC sequence header: keyframe | codec 7, AVCPacketType 0, CompositionTime 0. */
const AVC_HEADER = Buffer.concat([Buffer.from([0x17, 0, 0, 0, 0]), AVC_RECORD]);
/** FLV AAC sequence header: AAC 44.1 kHz stereo, AudioSpecificConfig AAC-LC 44100 Hz 2 ch. */
const AAC_HEADER = Buffer.from([0xaf, 0x00, 0x12, 0x10]);

describe("fMP4 init segment", () => {
  test("ftyp, moov with avc1/avcC and mp4a/esds, timescales 90 kHz and the sample rate", () => {
    const video = videoTrackConfig(AVC_HEADER);
    const audio = audioTrackConfig(AAC_HEADER);
    assert.ok(video && audio);
    assert.equal(video.codecString, "avc1.42c01e");
    assert.deepEqual([video.width, video.height], [640, 360]);
    assert.deepEqual(
      [audio.sampleRate, audio.channels, audio.codecString],
      [44100, 2, "mp4a.40.2"],
    );
    const init = buildInitSegment({ video, audio });
    assert.deepEqual(
      readBoxes(init).map((b) => b.type),
      ["ftyp", "moov"],
    );
    const timescales = findBoxes(init, "moov/trak/mdia/mdhd").map((b) => b.body.readUInt32BE(12));
    assert.deepEqual(timescales, [90000, 44100]);
    const handlers = findBoxes(init, "moov/trak/mdia/hdlr").map((b) =>
      b.body.toString("latin1", 8, 12),
    );
    assert.deepEqual(handlers, ["vide", "soun"]);
    const [stsd] = findBoxes(init, "moov/trak/mdia/minf/stbl/stsd");
    assert.ok(stsd);
    const [avc1] = readBoxes(stsd.body.subarray(8));
    assert.equal(avc1?.type, "avc1");
    // The visual sample entry's fixed fields are 78 bytes, then avcC.
    const [avcC] = readBoxes((avc1 as { body: Buffer }).body.subarray(78));
    assert.equal(avcC?.type, "avcC");
    assert.deepEqual(avcC?.body, AVC_RECORD);
    assert.equal(avc1?.body.readUInt16BE(24), 640);
    assert.equal(avc1?.body.readUInt16BE(26), 360);
    // The AudioSpecificConfig sits in esds, after its descriptor tag 5 and 4-byte length.
    const tag5 = init.indexOf(Buffer.from([0x05, 0x80, 0x80, 0x80, 0x02]));
    assert.ok(tag5 > 0);
    assert.deepEqual(init.subarray(tag5 + 5, tag5 + 7), Buffer.from([0x12, 0x10]));
    assert.equal(findBoxes(init, "moov/mvex/trex").length, 2);
  });

  test("HEVC: hvc1/hvcC and the RFC 6381 codec string (Main, level 3.1)", () => {
    // HEVCDecoderConfigurationRecord: Main profile, compat flags of profiles 1 and 2, level 93,
    // the progressive/frame-only constraint bits (0xB0), one SPS array (video-tag.test.ts's SPS).
    const sps = Buffer.from(
      "42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321",
      "hex",
    );
    const record = Buffer.concat([
      Buffer.from([1, 0x01, 0x60, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 93]),
      Buffer.alloc(9),
      Buffer.from([1, 0x80 | 33, 0, 1, sps.length >> 8, sps.length & 0xff]),
      sps,
    ]);
    const enhanced = Buffer.concat([Buffer.from([0x90]), Buffer.from("hvc1"), record]);
    const video = videoTrackConfig(enhanced);
    assert.ok(video);
    assert.equal(video.codecString, "hvc1.1.6.L93.B0");
    assert.deepEqual([video.width, video.height], [640, 360]);
    const init = buildInitSegment({ video, audio: null });
    assert.ok(init.includes(Buffer.from("hvcC")));
    assert.equal(findBoxes(init, "moov/trak").length, 1);
  });

  test("not a sequence header, other codecs and short configs are null", () => {
    assert.equal(videoTrackConfig(Buffer.from([0x27, 1, 0, 0, 0, 1, 2])), null);
    assert.equal(videoTrackConfig(Buffer.from([0x12, 0])), null);
    assert.equal(audioTrackConfig(Buffer.from([0x2f, 0x00, 0x12])), null);
    assert.equal(audioTrackConfig(Buffer.from([0xaf, 0x00])), null);
  });
});

const sampleArb = fc.record({
  size: fc.integer({ min: 1, max: 300 }),
  duration: fc.integer({ min: 0, max: 100_000 }),
  compositionOffset: fc.integer({ min: -50_000, max: 50_000 }),
  sync: fc.boolean(),
});

describe("fMP4 fragments read back", () => {
  test("mfhd, tfdt, trun entries and data offsets match the samples (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.array(sampleArb, { maxLength: 40 }),
        fc.array(sampleArb, { maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (sequence, videoSpec, audioSpec, start) => {
          let fill = 0;
          const toSamples = (spec: typeof videoSpec): Sample[] => {
            let dts = start;
            return spec.map((s) => {
              const sample = {
                data: Buffer.alloc(s.size, fill++ & 0xff),
                dts,
                duration: s.duration,
                compositionOffset: s.compositionOffset,
                sync: s.sync,
              };
              dts += s.duration;
              return sample;
            });
          };
          const runs = [
            { trackId: 1, samples: toSamples(videoSpec) },
            { trackId: 2, samples: toSamples(audioSpec) },
          ];
          const fragment = buildFragment(sequence, runs);
          const top = readBoxes(fragment);
          const present = runs.filter((r) => r.samples.length > 0);
          if (present.length === 0) {
            assert.deepEqual(
              top.map((b) => b.type),
              ["moof", "mdat"],
            );
            return;
          }
          assert.deepEqual(
            top.map((b) => b.type),
            ["moof", "mdat"],
          );
          const [mfhd] = findBoxes(fragment, "moof/mfhd");
          assert.equal(mfhd?.body.readUInt32BE(4), sequence);
          const trafs = findBoxes(fragment, "moof/traf").map((b) => readTraf(b.body));
          assert.equal(trafs.length, present.length);
          trafs.forEach((traf, i) => {
            const run = present[i] as (typeof present)[number];
            assert.equal(traf.trackId, run.trackId);
            assert.equal(traf.baseDecodeTime, start);
            let at = traf.dataOffset;
            traf.entries.forEach((entry, j) => {
              const sample = run.samples[j] as Sample;
              assert.equal(entry.size, sample.data.length);
              assert.equal(entry.duration, sample.duration);
              assert.equal(entry.compositionOffset, sample.compositionOffset);
              // sample_depends_on 2 for a sync sample; 1 and is_non_sync otherwise.
              assert.equal(entry.flags, sample.sync ? 0x02000000 : 0x01010000);
              // default-base-is-moof: offsets count from the moof's first byte (0 here).
              assert.deepEqual(fragment.subarray(at, at + entry.size), sample.data);
              at += entry.size;
            });
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
