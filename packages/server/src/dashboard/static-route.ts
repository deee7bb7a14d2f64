import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { OnAirError } from "../errors.js";
import { sendError } from "../http/error-reply.js";
import { sendFile } from "../http/file-route.js";
import type { RouteHandler } from "../http/route.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

/** Only same-origin code and calls; screenshots may come from a public pic_url. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data: http: https:; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/**
 * Where the built app is: the `@onair/dashboard` package when installed next to the server,
 * else the monorepo's packages/dashboard/dist (this file is packages/server/dist/src/dashboard/).
 */
export function findDashboardAssets(): string | null {
  const candidates: string[] = [];
  try {
    const pkg = createRequire(import.meta.url).resolve("@onair/dashboard/package.json");
    candidates.push(resolve(dirname(pkg), "dist"));
  } catch {
    // Not installed as a package: the monorepo layout below.
  }
  candidates.push(fileURLToPath(new URL("../../../../dashboard/dist", import.meta.url)));
  return candidates.find((dir) => existsSync(resolve(dir, "index.html"))) ?? null;
}

/**
 * `GET /dashboard/…`: the built single-page app. It needs no session: without one it shows only
 * the sign-in form, and every call it makes is refused (401) until the user signs in. Hashed
 * files under assets/ are cached for good; index.html never.
 */
export function createStaticRoute(options: { root: string | null; prefix: string }): RouteHandler {
  const root = options.root === null ? null : resolve(options.root);
  return async (req, res) => {
    if (root === null) {
      return sendError(
        res,
        new OnAirError(
          "ONAIR_ERR_DASHBOARD_NOT_BUILT",
          "the dashboard is not built: run `npm run build` in the OnAir checkout",
        ),
      );
    }
    let relativePath: string;
    try {
      relativePath = decodeURIComponent(
        (req.url ?? "/").split("?")[0]?.slice(options.prefix.length) ?? "",
      );
    } catch {
      relativePath = "\0";
    }
    // Paths without an extension are the app's own pages: all served by index.html.
    const isAsset = extname(relativePath) !== "";
    const path = resolve(root, isAsset ? relativePath : "index.html");
    const type = CONTENT_TYPES[extname(path)];
    const info =
      path.startsWith(root + sep) && type && !relativePath.includes("\0")
        ? await stat(path).catch(() => null)
        : null;
    if (!info?.isFile()) {
      return sendError(res, new OnAirError("ONAIR_ERR_FILE_NOT_FOUND", "no such file"));
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": type as string,
      "content-length": info.size,
      "cache-control": relativePath.startsWith("assets/")
        ? "public, max-age=31536000, immutable"
        : "no-cache",
    });
    if (req.method === "HEAD") return void res.end();
    await sendFile(createReadStream(path), res);
  };
}
