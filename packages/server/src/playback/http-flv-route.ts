import { OnAirError } from "../errors.js";
import { sendError } from "../http/error-reply.js";
import type { RouteHandler } from "../http/route.js";
import { encodeFlvTag, FLV_HEADER } from "../media/flv-file.js";
import { LiveViewer } from "../media/live-viewer.js";
import { sharedEncoding } from "../media/shared-encoding.js";
import { liveWrites } from "../media/write-batching.js";
import { hostWithoutPort, parseFlvPath } from "./play-target.js";
import type { PlaybackService } from "./playback-service.js";
import { RELAY_HEADER } from "./relay-credential.js";

/** Time for the end of the stream to flush before the connection is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * HTTP-FLV: `GET /AppName/StreamName.flv` streams the live stream as one FLV file (Adobe FLV
 * spec, E.2–E.4) in a chunked response, with CORS open so browser players (mpegts.js, flv.js)
 * may read it. The Host header (or `domain=`) names the play domain; a stream that is not live
 * is a 404 and a refused play a 403, each with the ONAIR_ERR body (docs/playback.md).
 */
export function createHttpFlvRoute(deps: {
  playback: PlaybackService;
  /** The client address as the server trusts it (X-Forwarded-For behind a proxy). */
  clientIp: (req: Parameters<RouteHandler>[0]) => string;
}): RouteHandler {
  return async (req, res) => {
    const [path = "/", query = ""] = (req.url ?? "/").split("?", 2);
    const names = parseFlvPath(path);
    if (!names) throw new OnAirError("ONAIR_ERR_ROUTE_NOT_FOUND", `no route for ${path}`);
    const decision = await deps.playback.requestPlay({
      protocol: "flv",
      host: hostWithoutPort(req.headers.host),
      ...names,
      query,
      clientIp: deps.clientIp(req),
      ...relayCredential(req.headers[RELAY_HEADER]),
    });
    res.setHeader("access-control-allow-origin", "*");
    if (!decision.accepted) {
      sendError(
        res,
        decision.code === "NetStream.Play.StreamNotFound"
          ? new OnAirError("ONAIR_ERR_STREAM_NOT_LIVE", decision.description)
          : new OnAirError("ONAIR_ERR_PLAY_REFUSED", decision.description),
      );
      return;
    }
    const { grant } = decision;
    if (req.destroyed) {
      grant.left("closed", "client gone before the stream started");
      return;
    }
    // The header, the FLV header and the start tags (the cached GOP) leave together at once, not
    // at the next flush of live media.
    liveWrites.atOnce(res);
    res.writeHead(200, {
      "content-type": "video/x-flv",
      "cache-control": "no-cache, no-store",
      // Chunked: the response has no length, it lasts as long as the publish.
    });
    res.write(FLV_HEADER);
    let unsubscribe: (() => void) | null = null;
    const viewer = new LiveViewer(
      {
        // The response counts its socket's unsent bytes too (OutgoingMessage.writableLength);
        // bytes held for the next flush of live media are not a backlog.
        queuedBytes: () => liveWrites.queuedBytes(res),
        write: (tag, timestamp) => {
          const bytes = sharedEncoding(tag, String(timestamp), () => encodeFlvTag(tag, timestamp));
          liveWrites.hold(res);
          res.write(bytes);
          grant.sent(bytes.length);
          return bytes.length;
        },
        evict: (detail) => {
          unsubscribe?.();
          grant.left("evicted", detail);
          res.destroy();
        },
        end: () => {
          grant.left("ended", "the publish ended");
          res.end();
          // A viewer that stopped reading would hold the socket (and the server's close) forever.
          setTimeout(() => res.destroy(), CLOSE_GRACE_MS).unref();
        },
      },
      deps.playback.policy,
    );
    res.on("close", () => {
      unsubscribe?.();
      viewer.close();
      grant.left("closed", "client closed the connection");
    });
    unsubscribe = grant.subscribe(viewer);
  };
}

function relayCredential(header: string | string[] | undefined): { relayCredential?: string } {
  return typeof header === "string" ? { relayCredential: header } : {};
}
