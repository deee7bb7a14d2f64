import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";
import { largestGap, probeLive } from "../helpers/live-player.js";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";

const run = promisify(execFile);

/** The NAL units of an Annex B stream (start codes 00 00 01 and 00 00 00 01). */
function nalUnits(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? (starts[k + 1] as number) - 3 : stream.length;
    while (end > start && stream[end - 1] === 0) end--;
    return stream.subarray(start, end);
  });
}

function lengthOf(nal: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(nal.length);
  return length;
}

/** An RBSP without its emulation prevention bytes (00 00 03 → 00 00). */
function withoutEmulationPrevention(nal: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0 && out.at(-1) === 0)
      continue;
    out.push(nal[i] as number);
  }
  return Buffer.from(out);
}

/**
 * An HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3) from the VPS, SPS and PPS: the
 * general profile, tier, level and constraint fields copied from the SPS's profile_tier_level,
 * 4:2:0, 8 bits, 4-byte NAL lengths.
 */
function hvcc(vps: Buffer, sps: Buffer, pps: Buffer): Buffer {
  const ptl = withoutEmulationPrevention(sps).subarray(3, 15);
  const array = (type: number, nal: Buffer) =>
    Buffer.concat([Buffer.from([0x80 | type, 0, 1, nal.length >> 8, nal.length & 0xff]), nal]);
  return Buffer.concat([
    Buffer.from([1]),
    ptl,
    Buffer.from([0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 3]),
    array(32, vps),
    array(33, sps),
    array(34, pps),
  ]);
}

/**
 * HEVC over HLS (docs/hls.md): Debian's ffmpeg 5.1 cannot push HEVC over RTMP, so a real
 * libx265 bitstream is pushed by the test's own RTMP client as Enhanced RTMP `hvc1` tags
 * (SequenceStart with the decoder record, CodedFramesX), in real time; ffprobe reads the HLS
 * playlist and decodes hevc from the hvc1/hvcC init segment.
 */
describe("HLS of an Enhanced RTMP HEVC push", { timeout: 60_000 }, () => {
  let t: TestOnAir;
  const frames: { nals: Buffer[]; keyframe: boolean }[] = [];
  let record: Buffer;

  before(async () => {
    const { stdout } = await run(
      "ffmpeg",
      [
        ...[
          "-hide_banner",
          "-loglevel",
          "error",
          "-f",
          "lavfi",
          "-i",
          "testsrc=size=320x240:rate=25",
        ],
        ...[
          "-t",
          "5",
          "-pix_fmt",
          "yuv420p",
          "-c:v",
          "libx265",
          "-x265-params",
          "keyint=25:bframes=0:log-level=error",
        ],
        ...["-f", "hevc", "-"],
      ],
      { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
    );
    const params = new Map<number, Buffer>();
    for (const nal of nalUnits(stdout)) {
      const type = ((nal[0] as number) >> 1) & 0x3f;
      if (type >= 32 && type <= 34) params.set(type, nal);
      if (type >= 32) continue;
      // first_slice_segment_in_pic_flag: a new picture.
      if ((nal[2] as number) & 0x80) frames.push({ nals: [], keyframe: type >= 16 && type <= 21 });
      frames.at(-1)?.nals.push(nal);
    }
    record = hvcc(params.get(32) as Buffer, params.get(33) as Buffer, params.get(34) as Buffer);
    t = await startTestOnAir({
      rtmp: true,
      flags: { playback: { hls: { segmentTargetMs: 1000 } } },
    });
  });
  after(async () => {
    await t.stop();
  });

  test("hvc1 in CODECS; ffprobe decodes hevc 320x240 with continuous timestamps", async () => {
    assert.ok(frames.length >= 100, `${frames.length} frames`);
    const client = await RtmpTestClient.connect(t.onair.rtmpPort as number);
    const { code, streamId } = await client.publish({ stream: "hevc" });
    assert.equal(code, "NetStream.Publish.Start");
    const video = (timestamp: number, payload: Buffer) =>
      client.write(RtmpTestClient.chunks({ csid: 6, typeId: 9, streamId, timestamp, payload }));
    video(0, Buffer.concat([Buffer.from([0x90]), Buffer.from("hvc1"), record]));
    const pushing = (async () => {
      const started = Date.now();
      for (const [i, frame] of frames.entries()) {
        // As in MP4: each NAL unit after its 4-byte length.
        const body = Buffer.concat(frame.nals.flatMap((nal) => [lengthOf(nal), nal]));
        // IsExHeader | frame type (1 key, 2 inter) | CodedFramesX (no composition time).
        const head = 0x80 | ((frame.keyframe ? 1 : 2) << 4) | 3;
        video(i * 40, Buffer.concat([Buffer.from([head]), Buffer.from("hvc1"), body]));
        await delay(Math.max(0, started + i * 40 - Date.now()));
      }
    })();
    try {
      await delay(500);
      const res = await fetch(`${t.httpUrl}/live/hevc.m3u8`);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(body, /CODECS="hvc1\.1\.6\.L\d+(\.[0-9A-F]{2})*",RESOLUTION=320x240/);
      const probe = await probeLive(`${t.httpUrl}/live/hevc.m3u8`, 2);
      const stream = probe.streams.find((s) => s.codec_type === "video");
      assert.equal(stream?.codec_name, "hevc");
      assert.deepEqual([stream?.width, stream?.height], [320, 240]);
      const gap = largestGap(probe.packets, "video");
      assert.ok(gap.count >= 40 && gap.gap <= 0.061, JSON.stringify(gap));
    } finally {
      await pushing;
      client.end();
    }
  });
});
