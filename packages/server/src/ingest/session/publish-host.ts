import type { FlvTag } from "../../media/flv-tag.js";
import type { AmfValue } from "../rtmp/amf0.js";

/**
 * The contract between an RTMP connection (which knows the wire) and the live-stream service
 * (which knows domains, auth, the registry and events). The session asks to publish, feeds the
 * accepted publish its media and ends it exactly once with the errcode of what happened.
 */
export interface PublishRequest {
  /** Push domain: the tcUrl host, or `domain=` / the default domain when connecting by IP. */
  domain: string;
  appName: string;
  streamName: string;
  /** The push URL's query string without `?` (Tencent's `stream_param`). */
  streamParam: string;
  tcUrl: string;
  clientIp: string;
  /** This node's address as the client reached it (Tencent's `node`). */
  serverIp: string;
  /**
   * The connection, so the service can end it (Drop, Forbid, a replacing publisher), and the
   * chunk size its peer last set (push monitoring, docs/monitoring.md).
   */
  connection: { drop(errcode: number, detail: string): void; id: string; peerChunkSize?(): number };
}

/** NetStream status codes a refused publish is answered with. */
export type PublishRefusalCode =
  | "NetStream.Publish.BadName"
  | "NetStream.Publish.Unauthorized"
  | "NetStream.Publish.Denied";

export type PublishDecision =
  | { accepted: true; publish: ActivePublish }
  | { accepted: false; code: PublishRefusalCode; description: string };

/** An accepted publish, as the session drives it. */
export interface ActivePublish {
  onMetadata(metadata: Record<string, AmfValue>, tag: FlvTag): void;
  onMedia(tag: FlvTag): void;
  /** Called exactly once, with the Tencent interruption errcode (Tencent 267/31083; docs/ingest.md). */
  end(errcode: number, detail: string): void;
}

export interface PublishHost {
  requestPublish(request: PublishRequest): Promise<PublishDecision>;
}
