/**
 * A lightweight HLS viewer for the bench: reads a playlist (a multivariant one is followed to
 * its media playlist), then reloads the media playlist every `reloadMs` and fetches each segment
 * (and init segment) it has not fetched yet, as a standard HLS player does, counting the bytes.
 * Not a decoder: the server's cost is what is measured.
 */
export interface HlsClient {
  /** Segment bytes fetched so far. */
  readonly bytes: number;
  readonly segments: number;
  /** The first error that stopped the client, or null. */
  readonly failure: string | null;
  close(): void;
}

const MAX_PLAYLIST_BYTES = 1 << 20;

export function watchHls(url: string, options: { reloadMs: number }): HlsClient {
  const controller = new AbortController();
  const seen = new Set<string>();
  const state = { bytes: 0, segments: 0, failure: null as string | null };
  const get = async (target: URL) => {
    const res = await fetch(target, { signal: controller.signal });
    if (!res.ok) throw new Error(`${res.status} for ${target.pathname}`);
    return res;
  };
  const text = async (target: URL) => {
    const body = await (await get(target)).text();
    if (body.length > MAX_PLAYLIST_BYTES)
      throw new Error(`playlist over ${MAX_PLAYLIST_BYTES} bytes`);
    return body;
  };
  const run = async () => {
    let playlist = new URL(url);
    const first = await text(playlist);
    if (first.includes("#EXT-X-STREAM-INF")) {
      const media = first.split("\n").find((line) => line.trim() !== "" && !line.startsWith("#"));
      if (!media) throw new Error("a multivariant playlist without a variant");
      playlist = new URL(media.trim(), playlist);
    }
    while (!controller.signal.aborted) {
      const body = await text(playlist);
      const uris = body.split("\n").flatMap((line) => {
        const map = /^#EXT-X-MAP:.*URI="([^"]+)"/.exec(line);
        if (map?.[1]) return [map[1]];
        return line.trim() !== "" && !line.startsWith("#") ? [line.trim()] : [];
      });
      const listed = new Set<string>();
      for (const uri of uris) {
        const segment = new URL(uri, playlist);
        listed.add(segment.pathname);
        if (seen.has(segment.pathname)) continue;
        seen.add(segment.pathname);
        state.bytes += (await (await get(segment)).arrayBuffer()).byteLength;
        state.segments++;
      }
      // Only what the playlist still lists can come again: the set stays as small as the window.
      for (const key of seen) if (!listed.has(key)) seen.delete(key);
      await new Promise((resolve) => setTimeout(resolve, options.reloadMs));
    }
  };
  run().catch((error: unknown) => {
    if (!controller.signal.aborted) state.failure = (error as Error).message;
  });
  return {
    get bytes() {
      return state.bytes;
    },
    get segments() {
      return state.segments;
    },
    get failure() {
      return state.failure;
    },
    close: () => controller.abort(),
  };
}
