import type { TagSink } from "../../media/media-fanout.js";

/**
 * The contract between a player's connection (an RTMP session here, the HTTP-FLV route in
 * playback/) and the playback service, which knows play domains, play auth and the live
 * streams. The connection asks to play; an accepted play is a `PlayGrant` it subscribes its
 * viewer to and tells when the viewer is gone.
 */
export interface PlayRequest {
  protocol: "rtmp" | "flv" | "hls";
  /** The host the player asked for: the tcUrl host or the HTTP Host header (without port). */
  host: string;
  appName: string;
  /** The stream name as requested, without its query. */
  streamName: string;
  /** The play URL's query string without `?` (txSecret, txTime, domain…). */
  query: string;
  clientIp: string;
  /**
   * HTTP-FLV only: the relay credential of another node's internal pull (docs/playback.md,
   * "Several nodes"), from its `x-onair-relay` header.
   */
  relayCredential?: string;
}

/** NetStream status codes a refused play is answered with (HTTP: 404 and 403). */
export type PlayRefusalCode = "NetStream.Play.StreamNotFound" | "NetStream.Play.Failed";

export type PlayDecision =
  | { accepted: true; grant: PlayGrant }
  | { accepted: false; code: PlayRefusalCode; description: string };

/** Why a viewer left: it closed, the publish ended, or it stayed too far behind. */
export type ViewerExit = "closed" | "ended" | "evicted";

export interface PlayGrant {
  /** The play domain the viewer is counted under. */
  readonly domain: string;
  /** Adds the viewer: the start tags at once, then the live ones, then `onEnd`. */
  subscribe(viewer: TagSink): () => void;
  /** Bytes sent to the viewer, for its statistics. */
  sent(bytes: number): void;
  /** Called once when the viewer is gone. */
  left(exit: ViewerExit, detail: string): void;
}

export interface PlayHost {
  requestPlay(request: PlayRequest): Promise<PlayDecision>;
}
