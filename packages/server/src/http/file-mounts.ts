import { isAbsolute, relative, resolve, sep } from "node:path";

/** A folder served under `/files/`: `prefix` is where, relative to `/files/` ("" or `hooks/0/`). */
export interface FileMount {
  dir: string;
  prefix: string;
}

/**
 * The `/files/` path (decoded, relative to `/files/`) that serves the file at `absolutePath`, or
 * null when no mount holds it. The first mount that holds it wins.
 */
export function mountedPath(mounts: readonly FileMount[], absolutePath: string): string | null {
  if (!isAbsolute(absolutePath)) return null;
  const file = resolve(absolutePath);
  for (const mount of mounts) {
    const rel = relative(resolve(mount.dir), file);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) continue;
    return `${mount.prefix}${rel.split(sep).join("/")}`;
  }
  return null;
}

/** `/files/<path>` with each segment percent-encoded (the route decodes it back). */
export function encodeFilesPath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
