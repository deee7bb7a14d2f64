import { constants, type ReadStream } from "node:fs";
import { open, realpath } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import type { RouteHandler } from "./route.js";
import { sendJson } from "./route.js";

const CONTENT_TYPES: Record<string, string> = {
  ".flv": "video/x-flv",
  ".mp4": "video/mp4",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".jpg": "image/jpeg",
  ".aac": "audio/aac",
};

/**
 * `GET /files/…`: recordings and screenshots, with byte ranges (players seek with them) and
 * content types by extension. Only finished files are served: `.part` files and sidecars are not,
 * and nothing outside `root` can be named or reached: a symbolic link whose target leaves the
 * root is a 404 (the real path is checked, then opened with O_NOFOLLOW so the last component
 * cannot be swapped for a link in between).
 */
export function createFileRoute(options: { root: string; prefix: string }): RouteHandler {
  const root = resolve(options.root);
  const notFound = (res: ServerResponse) =>
    sendJson(res, 404, { error: "ONAIR_ERR_NOT_FOUND", message: "no such file" });
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://files");
    let relativePath: string;
    try {
      relativePath = decodeURIComponent(url.pathname.slice(options.prefix.length));
    } catch {
      return sendJson(res, 400, {
        error: "ONAIR_ERR_INVALID_PARAMETER",
        message: "bad path encoding",
      });
    }
    const path = resolve(root, relativePath);
    const type = CONTENT_TYPES[extname(path)];
    if (!path.startsWith(root + sep) || type === undefined || relativePath.includes("\0")) {
      return sendJson(res, 404, { error: "ONAIR_ERR_NOT_FOUND", message: "no such file" });
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
        res.writeHead(416, { "content-range": `bytes */${info.size}` });
        res.end();
        return;
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

/**
 * Streams a file to the response. `pipeline`, not `pipe`: a client that goes away mid-file (players
 * seeking drop Range requests all the time) must close the file, and a read error must not crash.
 */
export async function sendFile(file: ReadStream, res: ServerResponse): Promise<void> {
  await pipeline(file, res).catch(() => res.destroy());
}
