import { networkInterfaces } from "node:os";

/**
 * The `host:port` at which the other nodes reach this node's HTTP port (config
 * `cluster.advertiseAddress`, docs/playback.md "Several nodes"): as configured (the port, when
 * left out, is the one listened on), else httpHost, or, when that is a wildcard, this machine's
 * first non-internal IPv4 address (127.0.0.1 when it has none).
 */
export function advertisedHttpAddress(input: {
  configured: string | undefined;
  httpHost: string;
  httpPort: number;
  interfaces?: ReturnType<typeof networkInterfaces>;
}): string {
  const configured = input.configured?.trim();
  if (configured) {
    // "host:port", "[v6]:port", "[v6]" or a bare host.
    if (/^\[.*\]:\d+$/.test(configured) || /^[^:[\]]+:\d+$/.test(configured)) return configured;
    return `${bracketed(configured.replace(/^\[|\]$/g, ""))}:${input.httpPort}`;
  }
  const wildcard = input.httpHost === "0.0.0.0" || input.httpHost === "::";
  const host = wildcard
    ? firstExternalIpv4(input.interfaces ?? networkInterfaces())
    : input.httpHost;
  return `${bracketed(host)}:${input.httpPort}`;
}

function firstExternalIpv4(interfaces: ReturnType<typeof networkInterfaces>): string {
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return "127.0.0.1";
}

function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
