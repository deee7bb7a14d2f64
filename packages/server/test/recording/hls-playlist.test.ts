import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePlaylist, recordingBytes, segmentPath } from "../../src/recording/hls-playlist.js";

/** What ffmpeg's hls muxer writes (`-hls_playlist_type event`), ended. */
const PLAYLIST = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXTINF:4.000000,
live_20261126T115404_00000.ts
#EXTINF:2.500000,
live_20261126T115404_00001.ts
#EXT-X-ENDLIST
`;

test("parsePlaylist: the EXTINF sum and the segment URIs", () => {
  assert.deepEqual(parsePlaylist(PLAYLIST), {
    durationSeconds: 6.5,
    segments: ["live_20261126T115404_00000.ts", "live_20261126T115404_00001.ts"],
  });
  assert.deepEqual(parsePlaylist(""), { durationSeconds: 0, segments: [] });
});

test("recordingBytes: the playlist and each segment, measured beside the playlist", async () => {
  const measured: string[] = [];
  const bytes = await recordingBytes("/rec/a/live.m3u8", parsePlaylist(PLAYLIST), async (p) => {
    measured.push(p);
    return 10;
  });
  assert.equal(bytes, 30);
  assert.deepEqual(measured, [
    "/rec/a/live.m3u8",
    "/rec/a/live_20261126T115404_00000.ts",
    "/rec/a/live_20261126T115404_00001.ts",
  ]);
  assert.equal(segmentPath("/rec/a/live.m3u8", "x.ts"), "/rec/a/x.ts");
});
