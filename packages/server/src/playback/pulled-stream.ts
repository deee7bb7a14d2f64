import { request } from "node:http";
import type { StreamKey } from "../domain/stream-key.js";
import { FlvReader } from "../media/flv-reader.js";
import { MediaFanout, type TagSink } from "../media/media-fanout.js";
import { isAacSequenceHeader } from "../media/play-source.js";
import type { PublishedStream } from "../media/published-stream.js";
import { inspectVideoTag } from "../media/video-tag.js";

/** The live publish on the holding node, as its registry row tells it. */
export interface HeldPublish {
  key: StreamKey;
  sequence: string;
  streamParam: string;
  startedAtMs: number;
  clientIp: string;
  serverIp: string;
  width: number;
  height: number;
}

export type PullOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * One internal pull: `GET url` (the holding node's HTTP-FLV) read with a bounded `FlvReader`
 * into a `PublishedStream`, which `attach` subscribes to before the first tag is read (so the
 * GOP the holder starts with is not lost). It resolves once the holder answered: 200, or why
 * not. The stream ends when the response ends, fails, stays silent for `timeoutMs`, carries a
 * bad FLV tag, or `signal` aborts; its subscribers then get `onEnd` once.
 */
export function pullFlv<T>(options: {
  url: URL;
  headers: Record<string, string>;
  publish: HeldPublish;
  maxTagBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  attach: (stream: PublishedStream) => T;
  /** Why the stream ended, once, after a 200. */
  onEnd: (detail: string) => void;
}): Promise<PullOutcome<T>> {
  return new Promise((resolve) => {
    const fanout = new MediaFanout();
    let answered = false;
    let ended = false;
    const finish = (detail: string) => {
      if (!answered) {
        answered = true;
        resolve({ ok: false, reason: detail });
        return;
      }
      if (ended) return;
      ended = true;
      fanout.close();
      options.onEnd(detail);
    };
    const req = request(options.url, {
      headers: options.headers,
      // A connection of its own: it lasts as long as the publish.
      agent: false,
      signal: options.signal,
    });
    req.setTimeout(options.timeoutMs, () => {
      req.destroy(new Error(`no data from the holding node for ${options.timeoutMs} ms`));
    });
    req.on("error", (err) => finish(err.message));
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        req.destroy();
        finish(`the holding node answered ${res.statusCode}`);
        return;
      }
      answered = true;
      const stream = publishedStream(options.publish, fanout);
      resolve({ ok: true, value: options.attach(stream) });
      const reader = new FlvReader(options.maxTagBytes);
      res.on("data", (chunk: Buffer) => {
        let tags: ReturnType<FlvReader["push"]>;
        try {
          tags = reader.push(chunk);
        } catch (err) {
          req.destroy();
          finish(err instanceof Error ? err.message : String(err));
          return;
        }
        for (const tag of tags) {
          const sequenceHeader =
            tag.type === 9
              ? inspectVideoTag(tag.data).sequenceHeader
              : tag.type === 8 && isAacSequenceHeader(tag.data);
          fanout.publish(tag, { sequenceHeader });
        }
      });
      res.on("end", () => finish("the publish ended on the holding node"));
      res.on("close", () => finish("the connection to the holding node closed"));
      res.on("error", (err) => finish(err.message));
    });
    req.end();
  });
}

function publishedStream(publish: HeldPublish, fanout: MediaFanout): PublishedStream {
  return {
    ...publish,
    // Known to the holder only; a pulled stream feeds players, which need neither.
    peerChunkSize: 0,
    videoCodec: "",
    // The holder committed the push before it served the pull.
    pushed: Promise.resolve(),
    get closed() {
      return fanout.closed;
    },
    subscribe: (sink: TagSink) => fanout.subscribe(sink),
  };
}
