import { box, fullBox, u8, u16, u32, zeros } from "./box.js";
import type { AudioTrackConfig, VideoTrackConfig } from "./track-config.js";

/** Track ids and timescales of the fMP4 OnAir writes: video 90 kHz, audio at its sample rate. */
export const VIDEO_TRACK_ID = 1;
export const AUDIO_TRACK_ID = 2;
export const VIDEO_TIMESCALE = 90_000;

/** The unity matrix of mvhd and tkhd (ISO/IEC 14496-12 §8.2.2). */
const MATRIX = Buffer.concat(
  [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map((v) => u32(v)),
);

/**
 * The initialization segment of a fragmented MP4 (ISO/IEC 14496-12 §8.8; RFC 8216bis §3.1.2,
 * EXT-X-MAP): ftyp, then moov with one trak per track (empty sample tables) and mvex/trex, so
 * every sample lives in the fragments.
 */
export function buildInitSegment(tracks: {
  video: VideoTrackConfig | null;
  audio: AudioTrackConfig | null;
}): Buffer {
  const traks: Buffer[] = [];
  const trexes: Buffer[] = [];
  if (tracks.video) {
    traks.push(videoTrak(tracks.video));
    trexes.push(trex(VIDEO_TRACK_ID));
  }
  if (tracks.audio) {
    traks.push(audioTrak(tracks.audio));
    trexes.push(trex(AUDIO_TRACK_ID));
  }
  const ftyp = box(
    "ftyp",
    Buffer.from("iso5", "latin1"),
    u32(512),
    Buffer.from("iso5iso6mp41", "latin1"),
  );
  return Buffer.concat([ftyp, box("moov", mvhd(), ...traks, box("mvex", ...trexes))]);
}

function mvhd(): Buffer {
  return fullBox(
    "mvhd",
    0,
    0,
    u32(0), // creation_time
    u32(0), // modification_time
    u32(1000), // timescale
    u32(0), // duration: unknown, live
    u32(0x00010000), // rate 1.0
    u16(0x0100), // volume 1.0
    zeros(10),
    MATRIX,
    zeros(24),
    u32(AUDIO_TRACK_ID + 1), // next_track_ID
  );
}

function tkhd(trackId: number, options: { audio: boolean; width: number; height: number }): Buffer {
  return fullBox(
    "tkhd",
    0,
    0x000003, // enabled, in movie
    u32(0),
    u32(0),
    u32(trackId),
    u32(0),
    u32(0), // duration
    zeros(8),
    u16(0), // layer
    u16(0), // alternate_group
    u16(options.audio ? 0x0100 : 0),
    u16(0),
    MATRIX,
    u32(options.width * 0x10000),
    u32(options.height * 0x10000),
  );
}

function mdhd(timescale: number): Buffer {
  // Language "und", packed as three 5-bit letters minus 0x60.
  return fullBox("mdhd", 0, 0, u32(0), u32(0), u32(timescale), u32(0), u16(0x55c4), u16(0));
}

function hdlr(handler: "vide" | "soun", name: string): Buffer {
  return fullBox(
    "hdlr",
    0,
    0,
    u32(0),
    Buffer.from(handler, "latin1"),
    zeros(12),
    Buffer.from(`${name}\0`, "latin1"),
  );
}

function stbl(sampleEntry: Buffer): Buffer {
  return box(
    "stbl",
    fullBox("stsd", 0, 0, u32(1), sampleEntry),
    fullBox("stts", 0, 0, u32(0)),
    fullBox("stsc", 0, 0, u32(0)),
    fullBox("stsz", 0, 0, u32(0), u32(0)),
    fullBox("stco", 0, 0, u32(0)),
  );
}

function dinf(): Buffer {
  return box("dinf", fullBox("dref", 0, 0, u32(1), fullBox("url ", 0, 1)));
}

function trak(timescale: number, header: Buffer, media: Buffer[]): Buffer {
  return box("trak", header, box("mdia", mdhd(timescale), ...media));
}

function videoTrak(config: VideoTrackConfig): Buffer {
  const compressor = zeros(32);
  const entry = box(
    config.codec === "avc" ? "avc1" : "hvc1",
    zeros(6),
    u16(1), // data_reference_index
    u16(0),
    u16(0),
    zeros(12),
    u16(config.width),
    u16(config.height),
    u32(0x00480000), // 72 dpi
    u32(0x00480000),
    u32(0),
    u16(1), // frame_count
    compressor,
    u16(0x0018), // depth
    u16(0xffff), // pre_defined -1
    box(config.codec === "avc" ? "avcC" : "hvcC", config.record),
  );
  return trak(VIDEO_TIMESCALE, tkhd(VIDEO_TRACK_ID, { audio: false, ...config }), [
    hdlr("vide", "OnAir video"),
    box("minf", fullBox("vmhd", 0, 1, zeros(8)), dinf(), stbl(entry)),
  ]);
}

function audioTrak(config: AudioTrackConfig): Buffer {
  const entry = box(
    "mp4a",
    zeros(6),
    u16(1),
    zeros(8),
    u16(config.channels),
    u16(16), // samplesize
    u16(0),
    u16(0),
    u32((config.sampleRate & 0xffff) * 0x10000),
    esds(config.config),
  );
  return trak(config.sampleRate, tkhd(AUDIO_TRACK_ID, { audio: true, width: 0, height: 0 }), [
    hdlr("soun", "OnAir audio"),
    box("minf", fullBox("smhd", 0, 0, zeros(4)), dinf(), stbl(entry)),
  ]);
}

/** An MPEG-4 descriptor (ISO/IEC 14496-1 §7.2.2): tag, 4-byte expandable length, body. */
function descriptor(tag: number, ...body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  const n = payload.length;
  return Buffer.concat([
    Buffer.from([
      tag,
      0x80 | ((n >> 21) & 0x7f),
      0x80 | ((n >> 14) & 0x7f),
      0x80 | ((n >> 7) & 0x7f),
      n & 0x7f,
    ]),
    payload,
  ]);
}

/** esds: ES_Descriptor → DecoderConfigDescriptor (AAC, audio stream) → the AudioSpecificConfig. */
function esds(audioSpecificConfig: Buffer): Buffer {
  const decoderConfig = descriptor(
    0x04,
    u8(0x40), // objectTypeIndication: MPEG-4 audio
    u8(0x15), // streamType 5 (audio) << 2 | reserved 1
    zeros(3), // bufferSizeDB
    u32(0), // maxBitrate
    u32(0), // avgBitrate
    descriptor(0x05, audioSpecificConfig),
  );
  return fullBox(
    "esds",
    0,
    0,
    descriptor(0x03, u16(AUDIO_TRACK_ID), u8(0), decoderConfig, descriptor(0x06, u8(0x02))),
  );
}

function trex(trackId: number): Buffer {
  return fullBox("trex", 0, 0, u32(trackId), u32(1), u32(0), u32(0), u32(0));
}
