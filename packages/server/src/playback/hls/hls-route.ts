import type { IncomingMessage, ServerResponse } from "node:http";
import { OnAirError } from "../../errors.js";
import { sendError } from "../../http/error-reply.js";
import type { RouteHandler } from "../../http/route.js";
import type { PlayDecision } from "../../ingest/session/play-host.js";
import { hostWithoutPort } from "../play-target.js";
import type { PlaybackService } from "../playback-service.js";
import { type HlsPath, parseHlsPath } from "./hls-path.js";
import type { HlsStream, HlsStreams } from "./hls-streams.js";
import { type HlsTokenClaims, newHlsSession, readHlsToken, signHlsToken } from "./hls-token.js";
import type { LiveSegmenter } from "./live-segmenter.js";
import { type PlaylistUris, targetDuration, writeMediaPlaylist } from "./media-playlist.js";
import { writeMultivariantPlaylist } from "./multivariant-playlist.js";

const PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
/** Segments, parts and init segments never change once served: cached for an hour. */
const IMMUTABLE = "public, max-age=3600, immutable";
/** How far past the newest segment a blocking reload may ask (RFC 8216bis §6.2.5.2: two). */
const MSN_ADVANCE_LIMIT = 2;

/**
 * HLS and LL-HLS over HTTP (docs/hls.md): `GET /AppName/StreamName.m3u8` checks play auth as
 * HTTP-FLV does and answers the multivariant playlist, whose media playlist URI carries a
 * session token; the media playlist (with blocking reload, RFC 8216bis §6.2.5.2, and delta
 * updates on `_HLS_skip`, §6.2.5.1), init segments, segments and parts answer only with a valid
 * token (403 otherwise). CORS is open.
 */
export function createHlsRoute(deps: {
  playback: PlaybackService;
  streams: HlsStreams;
  secret: string;
  tokenTtlMs: number;
  nowMs: () => number;
  clientIp: (req: IncomingMessage) => string;
}): RouteHandler {
  return async (req, res) => {
    try {
      await serve(req, res);
    } catch (err) {
      // Refusals are answered here, like HTTP-FLV's: not logged as failed requests.
      if (!(err instanceof OnAirError) || res.headersSent) throw err;
      // A held request whose player left has no one to answer.
      if (!res.destroyed) sendError(res, err);
    }
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = "/", query = ""] = (req.url ?? "/").split("?", 2);
    const target = parseHlsPath(path);
    if (!target) throw new OnAirError("ONAIR_ERR_ROUTE_NOT_FOUND", `no route for ${path}`);
    res.setHeader("access-control-allow-origin", "*");
    const params = new URLSearchParams(query);
    if (target.kind === "multivariant") {
      await multivariant(req, res, target, query);
      return;
    }
    const name = `${target.appName}/${target.streamName}`;
    const read = readHlsToken({ secret: deps.secret, stream: name, token: params.get("t") ?? "" });
    if (!read.ok) throw new OnAirError("ONAIR_ERR_PLAY_REFUSED", read.reason);
    const session = await admitSession(req, target, read.claims);
    const stream =
      deps.streams.find(name) ??
      (target.kind === "media" ? await deps.streams.open(target.appName, target.streamName) : null);
    if (!stream) {
      throw target.kind === "media"
        ? new OnAirError("ONAIR_ERR_STREAM_NOT_LIVE", `${name} is not live`)
        : new OnAirError("ONAIR_ERR_HLS_NOT_AVAILABLE", `${name} has no HLS output here`);
    }
    stream.inFlight++;
    try {
      await answer(req, res, target, stream, params, session);
    } finally {
      stream.inFlight--;
      stream.lastRequestMs = deps.nowMs();
    }
  }

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    target: Exclude<HlsPath, { kind: "multivariant" }>,
    stream: HlsStream,
    params: URLSearchParams,
    session: string | null,
  ): Promise<void> {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const token = params.get("t") ?? "";
    const send = (body: Buffer | string, headers: Record<string, string>) => {
      if (res.destroyed) return;
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      res.writeHead(200, { ...headers, "content-length": String(bytes.length) });
      res.end(bytes);
      if (session) {
        deps.streams.sent(session, bytes.length);
        deps.streams.touchSession(session);
      }
    };
    const segmenter = stream.segmenter;
    const timeoutMs = 3 * targetDuration(segmenter) * 1000;
    if (target.kind === "media") {
      const delta = deltaRequested(params);
      const blocking = await blockingReload(res, segmenter, params, timeoutMs);
      send(writeMediaPlaylist(segmenter, mediaUris(token), { delta }), {
        "content-type": PLAYLIST_TYPE,
        "cache-control": blocking ? `max-age=${targetDuration(segmenter)}` : "no-cache",
      });
      return;
    }
    if (target.kind === "init") {
      const init = segmenter.init(target.version);
      if (!init) throw notAvailable(path);
      send(init, { "content-type": "video/mp4", "cache-control": IMMUTABLE });
      return;
    }
    const data = await segmentData(res, segmenter, target, timeoutMs);
    send(data, { "content-type": "video/mp4", "cache-control": IMMUTABLE });
  }

  async function multivariant(
    req: IncomingMessage,
    res: ServerResponse,
    target: Extract<HlsPath, { kind: "multivariant" }>,
    query: string,
  ): Promise<void> {
    const decision = await deps.playback.requestPlay({
      protocol: "hls",
      host: hostWithoutPort(req.headers.host),
      appName: target.appName,
      streamName: target.streamName,
      query,
      clientIp: deps.clientIp(req),
    });
    if (!decision.accepted) throw refusal(decision);
    const { grant } = decision;
    const name = `${target.appName}/${target.streamName}`;
    const stream = await deps.streams.open(target.appName, target.streamName);
    if (!stream) {
      grant.left("ended", "not live");
      throw new OnAirError("ONAIR_ERR_STREAM_NOT_LIVE", `${name} is not live`);
    }
    const { segmenter } = stream;
    // A first complete segment, so standard players, which read segments only, start at once.
    stream.inFlight++;
    const ready = await waitUntil(
      res,
      segmenter,
      () => segmenter.segments.length > 0,
      3 * targetDuration(segmenter) * 1000,
    ).finally(() => {
      stream.inFlight--;
      stream.lastRequestMs = deps.nowMs();
    });
    if (!ready || segmenter.ended) {
      grant.left("closed", "no part came");
      if (res.destroyed) return;
      throw segmenter.ended
        ? new OnAirError("ONAIR_ERR_STREAM_NOT_LIVE", `${name} ended`)
        : new OnAirError("ONAIR_ERR_HLS_TIMEOUT", `${name} has no complete segment yet`);
    }
    const session = newHlsSession();
    if (!deps.streams.addSession(session, name, grant)) {
      grant.left("closed", "too many HLS sessions");
      throw new OnAirError(
        "ONAIR_ERR_LIMIT_EXCEEDED",
        "this node keeps as many HLS sessions as it may",
      );
    }
    const token = signHlsToken({
      secret: deps.secret,
      stream: name,
      session,
      domain: grant.domain,
      expiresAtMs: deps.nowMs() + deps.tokenTtlMs,
    });
    const body = Buffer.from(
      writeMultivariantPlaylist(
        segmenter,
        `${encodeURIComponent(target.streamName)}/index.m3u8?t=${token}`,
      ),
    );
    res.writeHead(200, {
      "content-type": PLAYLIST_TYPE,
      "cache-control": "no-cache, no-store",
      "content-length": String(body.length),
    });
    res.end(body);
    grant.sent(body.length);
  }

  /**
   * The session a token names, seen now. A token not known on this node (the session idled
   * out, or another node issued it with the same `tokenSecret`) starts it again while the
   * token has not expired; an expired token opens only a session still active.
   */
  async function admitSession(
    req: IncomingMessage,
    target: Exclude<HlsPath, { kind: "multivariant" }>,
    claims: HlsTokenClaims,
  ): Promise<string | null> {
    if (deps.streams.touchSession(claims.session)) return claims.session;
    if (claims.expiresAtMs < deps.nowMs()) {
      throw new OnAirError("ONAIR_ERR_PLAY_REFUSED", "HLS token expired");
    }
    const name = `${target.appName}/${target.streamName}`;
    // An ended output is still read (EXT-X-ENDLIST) without counting a new viewer.
    if (deps.streams.find(name)?.segmenter.ended) return null;
    const decision = await deps.playback.admitPlay({
      protocol: "hls",
      host: claims.domain,
      appName: target.appName,
      streamName: target.streamName,
      query: "",
      clientIp: deps.clientIp(req),
    });
    if (!decision.accepted) return null;
    if (!deps.streams.addSession(claims.session, name, decision.grant)) {
      decision.grant.left("closed", "too many HLS sessions");
      return null;
    }
    return claims.session;
  }
}

/**
 * Blocking playlist reload (RFC 8216bis §6.2.5.2): with `_HLS_msn` (and `_HLS_part`), held
 * until the playlist has that segment (or part) or a later one; 400 for one more than two
 * segments ahead, 503 after three target durations. Returns whether the request blocked.
 */
async function blockingReload(
  res: ServerResponse,
  segmenter: LiveSegmenter,
  params: URLSearchParams,
  timeoutMs: number,
): Promise<boolean> {
  const msnText = params.get("_HLS_msn");
  const partText = params.get("_HLS_part");
  if (msnText === null) {
    if (partText !== null) {
      throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "_HLS_part needs _HLS_msn");
    }
    return false;
  }
  const msn = wholeNumber(msnText, "_HLS_msn");
  const part = partText === null ? null : wholeNumber(partText, "_HLS_part");
  if (msn > segmenter.liveMsn + MSN_ADVANCE_LIMIT) {
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER_VALUE",
      `_HLS_msn ${msn} is more than ${MSN_ADVANCE_LIMIT} segments past ${segmenter.liveMsn}`,
    );
  }
  const reached = () => {
    if (part === null) return segmenter.segments.some((s) => s.msn >= msn && s.data !== null);
    const last = segmenter.lastPart;
    return last !== null && (last.msn > msn || (last.msn === msn && last.index >= part));
  };
  const ok = await waitUntil(res, segmenter, reached, timeoutMs);
  if (!ok && !segmenter.ended && !res.destroyed) {
    throw new OnAirError(
      "ONAIR_ERR_HLS_TIMEOUT",
      `segment ${msn} part ${part ?? "-"} did not come`,
    );
  }
  return true;
}

/**
 * `_HLS_skip` (RFC 8216bis §6.2.5.1): YES asks for a Playlist Delta Update. v2 asks to skip
 * EXT-X-DATERANGE tags too, which needs CAN-SKIP-DATERANGES (§4.4.3.8); OnAir writes no date
 * ranges and does not advertise it, so v2 is ignored as the RFC says of a directive the server
 * does not support: the full playlist. Any other value is a 400.
 */
function deltaRequested(params: URLSearchParams): boolean {
  const skip = params.get("_HLS_skip");
  if (skip === null) return false;
  if (skip !== "YES" && skip !== "v2") {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", "_HLS_skip must be YES or v2");
  }
  return skip === "YES";
}

/**
 * A segment or part. One not cut yet, in the segment being cut or the next (a preload hint), is
 * waited for (three target durations at most); one that left the window is a 404.
 */
async function segmentData(
  res: ServerResponse,
  segmenter: LiveSegmenter,
  target: Extract<HlsPath, { kind: "segment" | "part" }>,
  timeoutMs: number,
): Promise<Buffer> {
  const find = (): Buffer | null => {
    const segment = segmenter.segment(target.msn);
    if (!segment) return null;
    if (target.kind === "segment") return segment.data;
    return segment.parts[target.index]?.data ?? null;
  };
  const found = find();
  if (found) return found;
  const live = segmenter.liveMsn;
  const upcoming = !segmenter.ended && (target.msn === live || target.msn === live + 1);
  if (!upcoming) throw notAvailable(`${target.kind} ${target.msn}`);
  const settled = () => {
    if (find() !== null || segmenter.liveMsn > target.msn + 1) return true;
    // A part index past the last part of a segment now complete never comes.
    return target.kind === "part" && (segmenter.segment(target.msn)?.data ?? null) !== null;
  };
  const came = await waitUntil(res, segmenter, settled, timeoutMs);
  const data = find();
  if (data) return data;
  if (!came && !segmenter.ended) {
    throw new OnAirError("ONAIR_ERR_HLS_TIMEOUT", `${target.kind} ${target.msn} did not come`);
  }
  throw notAvailable(`${target.kind} ${target.msn}`);
}

/** Resolves true once `ready()` holds, false at the timeout, the stream's end or the client leaving. */
function waitUntil(
  res: ServerResponse,
  segmenter: LiveSegmenter,
  ready: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  if (segmenter.ended) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (value: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      res.off("close", onClose);
      resolve(value);
    };
    const unsubscribe = segmenter.onChange(() => {
      if (ready()) finish(true);
      else if (segmenter.ended) finish(false);
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onClose = () => finish(false);
    res.on("close", onClose);
  });
}

function mediaUris(token: string): PlaylistUris {
  return {
    init: (version) => `init-${version}.mp4?t=${token}`,
    segment: (msn) => `seg-${msn}.m4s?t=${token}`,
    part: (msn, index) => `part-${msn}.${index}.m4s?t=${token}`,
  };
}

function wholeNumber(text: string, name: string): number {
  if (!/^\d{1,15}$/.test(text)) {
    throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER_VALUE", `${name} must be a whole number`);
  }
  return Number(text);
}

function notAvailable(what: string): OnAirError {
  return new OnAirError("ONAIR_ERR_HLS_NOT_AVAILABLE", `${what} is not in the window`);
}

function refusal(decision: Extract<PlayDecision, { accepted: false }>): OnAirError {
  return decision.code === "NetStream.Play.StreamNotFound"
    ? new OnAirError("ONAIR_ERR_STREAM_NOT_LIVE", decision.description)
    : new OnAirError("ONAIR_ERR_PLAY_REFUSED", decision.description);
}
