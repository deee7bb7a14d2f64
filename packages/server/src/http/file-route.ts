import { constants, type ReadStream } from "node:fs";
import { open, realpath } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, posix, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { OnAirError } from "../errors.js";
import { sendError } from "./error-reply.js";
import type { RouteHandler } from "./route.js";
import {
  type FileAccess,
  type FileUrlCheck,
  signFilePath,
  verifyFilePath,
} from "./signed-file-url.js";

const REFUSALS: Record<Exclude<FileUrlCheck, "ok">, () => OnAirError> = {
  missing: () =>
    new OnAirError(
      "ONAIR_ERR_AUTH_MISSING",
      "a signed URL is required (expires and sig query parameters)",
    ),
  invalid: () => new OnAirError("ONAIR_ERR_AUTH_SIGNATURE", "the URL signature does not match"),
  expired: () =>
    new OnAirError("ONAIR_ERR_AUTH_EXPIRED", "the signed URL has expired; ask for a fresh one"),
};

const CONTENT_TYPES: Record<string, string> = {
  ".flv": "video/x-flv",
  ".mp4": "video/mp4",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".jpg": "image/jpeg",
  ".aac": "audio/aac",
  ".mp3": "audio/mpeg",
};

/**
 * `GET /files/…`: recordings and screenshots, with byte ranges (players seek with them) and
 * content types by extension. Only finished files are served: `.part` files and sidecars are not,
 * and nothing outside `root` can be named or reached: a symbolic link whose target leaves the
 * root is a 404 (the real path is checked, then opened with O_NOFOLLOW so the last component
 * cannot be swapped for a link in between).
 *
 * Unless `access.public`, a request needs the `?expires=&sig=` of a URL OnAir issued for that very
 * path (see signed-file-url.ts), checked before anything is looked up on disk: a missing, wrong
 * or expired signature is a 403 and says nothing about whether the file exists.
 */
export function createFileRoute(options: {
  root: string;
  prefix: string;
  /**
   * What a signature covers before the path under `prefix`: "" for `/files/` itself, `hooks/0/`
   * for a folder mounted at `/files/hooks/0/` (so a URL signed for one mount opens nothing in
   * another).
   */
  signedPrefix?: string;
  access: FileAccess;
  /** Told (rate-limited by the caller) about each refused request. */
  onRefused?: (fields: { reason: string; path: string }) => void;
}): RouteHandler {
  const root = resolve(options.root);
  const notFound = (res: ServerResponse) =>
    sendError(res, new OnAirError("ONAIR_ERR_FILE_NOT_FOUND", "no such file"));
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://files");
    let relativePath: string;
    try {
      relativePath = decodeURIComponent(url.pathname.slice(options.prefix.length));
    } catch {
      return sendError(res, new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "bad path encoding"));
    }
    const access = options.access;
    if (!access.public) {
      const check = verifyFilePath(
        access.key,
        `${options.signedPrefix ?? ""}${relativePath}`,
        url.searchParams,
        Math.floor(access.now() / 1000),
      );
      if (check !== "ok") {
        options.onRefused?.({ reason: check, path: relativePath.slice(0, 200) });
        // 403 (see above), not the code's 401: the credential is the URL itself, not a header.
        return sendError(res, REFUSALS[check](), 403);
      }
    }
    const path = resolve(root, relativePath);
    const type = CONTENT_TYPES[extname(path)];
    if (!path.startsWith(root + sep) || type === undefined || relativePath.includes("\0")) {
      return notFound(res);
    }
    const realRoot = await realpath(root).catch(() => root);
    const real = await realpath(path).catch(() => null);
    if (real === null || !real.startsWith(realRoot + sep)) return notFound(res);
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
    if (handle === null) return notFound(res);
    const info = await handle.stat().catch(() => null);
    if (!info?.isFile()) {
      await handle.close();
      return notFound(res);
    }
    if (!access.public && type === CONTENT_TYPES[".m3u8"] && info.size <= MAX_PLAYLIST_BYTES) {
      // A player resolves the playlist's segment names against its URL and drops the query, so
      // each segment gets a signature of its own, expiring with the playlist's.
      const text = await handle.readFile("utf8").finally(() => handle.close());
      const expires = Number(url.searchParams.get("expires"));
      const body = Buffer.from(
        signPlaylist(text, `${options.signedPrefix ?? ""}${relativePath}`, access.key, expires),
      );
      res.writeHead(200, {
        "content-type": type,
        "last-modified": info.mtime.toUTCString(),
        "content-length": body.length,
        "cache-control": "private, no-store",
      });
      return void res.end(req.method === "HEAD" ? undefined : body);
    }
    // From here the response owns the handle: streams close it, every other exit does.
    const done = () => void handle.close().catch(() => undefined);
    const headers: Record<string, string | number> = {
      "content-type": type,
      "accept-ranges": "bytes",
      "last-modified": info.mtime.toUTCString(),
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (req.headers.range !== undefined) {
      const start = range?.[1]
        ? Number(range[1])
        : range?.[2]
          ? Math.max(0, info.size - Number(range[2]))
          : 0;
      const end =
        range?.[1] && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
      if (!range || (range[1] === "" && range[2] === "") || start > end || start >= info.size) {
        done();
        res.setHeader("content-range", `bytes */${info.size}`);
        return sendError(
          res,
          new OnAirError("ONAIR_ERR_RANGE_NOT_SATISFIABLE", `the file has ${info.size} bytes`),
        );
      }
      res.writeHead(206, {
        ...headers,
        "content-range": `bytes ${start}-${end}/${info.size}`,
        "content-length": end - start + 1,
      });
      if (req.method === "HEAD") {
        done();
        return void res.end();
      }
      await sendFile(handle.createReadStream({ start, end }), res);
      return;
    }
    res.writeHead(200, { ...headers, "content-length": info.size });
    if (req.method === "HEAD") {
      done();
      return void res.end();
    }
    await sendFile(handle.createReadStream(), res);
  };
}

/** Larger playlists are served as they are (an HLS recording's is a few KB per hour). */
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** Appends a signature to each relative segment URI of an HLS playlist at `playlistPath`. */
function signPlaylist(
  text: string,
  playlistPath: string,
  key: string,
  expiresAtSec: number,
): string {
  const dir = posix.dirname(playlistPath);
  return text
    .split("\n")
    .map((line) => {
      const name = line.trim();
      if (name === "" || name.startsWith("#") || name.includes("?") || /^[a-z]+:|^\//i.test(name))
        return line;
      let decoded: string;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        return line;
      }
      const target = posix.normalize(posix.join(dir, decoded));
      return `${name}${signFilePath(key, target, expiresAtSec)}`;
    })
    .join("\n");
}

/**
 * Streams a file to the response. `pipeline`, not `pipe`: a client that goes away mid-file (players
 * seeking drop Range requests all the time) must close the file, and a read error must not crash.
 */
export async function sendFile(file: ReadStream, res: ServerResponse): Promise<void> {
  await pipeline(file, res).catch(() => res.destroy());
}
