import { InvalidArgumentError } from "commander";

/**
 * Parsers for the flags of the developer tools (`listen`, `trigger`, `push-url`, `verify`). Each
 * throws commander's `InvalidArgumentError`, which commander prints as one line naming the flag.
 */

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535)
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return n;
}

/** An integer of at least `min`. */
export function atLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min)
      throw new InvalidArgumentError(`"${value}" is not an integer >= ${min}`);
    return n;
  };
}

/** An absolute http:// or https:// URL (callbacks are only ever sent over HTTP). */
export function parseHttpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (try http://127.0.0.1:3000/callbacks)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError(`"${value}" is not an http:// or https:// URL`);
  return url;
}

/** A non-empty key without spaces (a CallbackKey or a push-authentication key). */
export function parseKey(value: string): string {
  if (value === "" || /\s/.test(value))
    throw new InvalidArgumentError("a key must be non-empty and contain no spaces");
  return value;
}

/** A push domain, AppName or stream name: no slashes, spaces or query characters. */
export function parseName(what: string): (value: string) => string {
  return (value) => {
    if (!/^[\w.~:-]+$/.test(value))
      throw new InvalidArgumentError(`"${value}" is not a valid ${what}`);
    return value;
  };
}

/** `host:port` (a name, an IPv4 address or a bracketed IPv6 one, then a port). */
export function parseHostPort(value: string): string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[\w.-]+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65_535)
    throw new InvalidArgumentError(`"${value}" is not host:port (try 127.0.0.1:1935)`);
  return value;
}
