import type { OnAirConfig } from "../config/schema.js";

/** What `onair start` learned once the node is up: the ports bound and the SecretId in use. */
export interface StartedNode {
  httpPort: number;
  rtmpPort: number | null;
  /** The RTMPS port (docs/relay.md); null or absent when RTMPS is off. */
  rtmpsPort?: number | null;
  secretId: string;
}

const ANY_ADDRESS = new Set(["0.0.0.0", "::", "[::]"]);

/** A host a person can type into a browser on this machine for a bind address. */
function reachableHost(bind: string): string {
  if (ANY_ADDRESS.has(bind)) return "127.0.0.1";
  return bind.includes(":") ? `[${bind}]` : bind;
}

/**
 * The banner `onair start` prints on every start: where each surface is, how to sign in, and
 * the defaults that matter for security (docs/security.md, "What start-up warns about"), so none
 * is a surprise.
 *
 * @example
 * for (const line of startBanner(config, onair)) process.stderr.write(`${line}\n`);
 */
export function startBanner(config: OnAirConfig, node: StartedNode): string[] {
  const http =
    config.publicUrl?.replace(/\/$/, "") ??
    `http://${reachableHost(config.httpHost)}:${node.httpPort}`;
  const rtmp =
    node.rtmpPort === null
      ? "off (ingest.enabled is false)"
      : `rtmp://${reachableHost(config.rtmpHost)}:${node.rtmpPort}/live/STREAM?domain=push.example.com`;
  const secrets = config.secretKey
    ? "SecretKey as configured (ONAIR_SECRET_KEY or the config file)"
    : `SecretKey in ${config.dataDir}/credentials.json`;
  const lines = [
    "",
    "OnAir is running",
    `  dashboard     ${http}/dashboard/`,
    `  API (TC3)     ${http}/  (SDK endpoint ${http.replace(/^https?:\/\//, "")})`,
    `  RTMP ingest   ${rtmp}`,
    ...(node.rtmpsPort != null
      ? [
          `  RTMPS ingest  rtmps://${reachableHost(config.ingest.rtmps.host ?? config.rtmpHost)}:${node.rtmpsPort}/live/STREAM?domain=push.example.com`,
        ]
      : []),
    `  files         ${http}/files/`,
    `  metrics       ${http}/metrics  (health: ${http}/healthz)`,
    `  intake        POST ${http}/v1/events`,
    `  sign in with  SecretId ${node.secretId}, ${secrets}`,
    "",
    ...policyLines(config),
  ];
  return lines;
}

/** The ingest policy, and a warning for each default that exposes more than loopback. */
function policyLines(config: OnAirConfig): string[] {
  const { allowUnregisteredDomains, duplicatePublish } = config.ingest;
  const unregistered =
    allowUnregisteredDomains === "loopback"
      ? "unregistered push domains accepted from loopback publishers only"
      : allowUnregisteredDomains
        ? "unregistered push domains accepted from anywhere, without push auth"
        : "unregistered push domains refused";
  const replacing = {
    "replace-authenticated":
      "a live stream is replaced only by a publisher with the domain's push key (txSecret)",
    replace: "any second publisher replaces a live stream",
    reject: "a second publisher of a live stream is refused",
  }[duplicatePublish];
  const lines = [
    `OnAir ingest policy: ${unregistered}; ${replacing} (ingest.allowUnregisteredDomains=${allowUnregisteredDomains}, ingest.duplicatePublish=${duplicatePublish})`,
  ];
  if (ANY_ADDRESS.has(config.httpHost))
    lines.push(
      `warning: HTTP listens on every interface (httpHost=${config.httpHost}): the management API, dashboard and intake are reachable from the network; --http-host 127.0.0.1 keeps them local`,
    );
  if (config.ingest.enabled && ANY_ADDRESS.has(config.rtmpHost))
    lines.push(
      `warning: RTMP listens on every interface (rtmpHost=${config.rtmpHost}); --rtmp-host 127.0.0.1 keeps ingest local`,
    );
  if (config.ingest.enabled && allowUnregisteredDomains === true)
    lines.push(
      "warning: any publisher may push to a domain never added with AddLiveDomain, without push auth (ingest.allowUnregisteredDomains=true)",
    );
  return lines;
}
