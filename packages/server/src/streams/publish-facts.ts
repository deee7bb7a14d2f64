import type { PublishFacts } from "@onair/callbacks";
import type { StreamKey } from "../domain/stream-key.js";

/** Who published what, from where: what every publish event says about its publish. */
export interface PublishIdentity {
  key: StreamKey;
  sequence: string;
  /** The address the publisher reached (Tencent's `node`). */
  serverIp: string;
  clientIp: string;
  streamParam: string;
  /** The picture size when known (0 or absent: unknown). */
  width?: number;
  height?: number;
}

/**
 * The facts of a push or interruption (Tencent 267/47025) for @onair/callbacks' builders, at
 * `eventTimeMs`. One function for the RTMP ingest and the media-server hooks, so both say the
 * same thing about a publish.
 */
export function publishFacts(appid: number, p: PublishIdentity, eventTimeMs: number): PublishFacts {
  return {
    appid,
    app: p.key.domainName,
    appname: p.key.appName,
    stream_id: p.key.streamName,
    event_time: Math.floor(eventTimeMs / 1000),
    sequence: p.sequence,
    node: p.serverIp,
    user_ip: p.clientIp,
    stream_param: p.streamParam,
    set_id: 2,
    idc_id: 0,
    width: p.width ?? 0,
    height: p.height ?? 0,
  };
}
