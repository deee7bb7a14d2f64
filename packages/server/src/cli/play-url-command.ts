import { signPushUrl } from "@onair/callbacks";
import { type Command, InvalidArgumentError } from "commander";
import { parseExpiry } from "./parse-expiry.js";
import { parseHostPort, parseKey, parseName } from "./parse-flags.js";

interface PlayUrlFlags {
  domain: string;
  app: string;
  stream: string;
  key?: string;
  expires?: number;
  server?: string;
  httpServer?: string;
  only?: "rtmp" | "flv";
  json?: boolean;
}

const DEFAULT_VALIDITY_SECONDS = 24 * 3_600;
const DEFAULT_HTTP_PORT = 8080;

/**
 * `onair play-url`: the RTMP and HTTP-FLV play URLs of a stream, signed with the play domain's
 * key as Tencent signs them (txSecret = MD5(KEY + StreamName + txTime), docs/playback.md). With
 * `--server` the URLs go to that address and name the play domain with `domain=`.
 */
export function addPlayUrlCommand(program: Command): void {
  program
    .command("play-url")
    .description("print signed play URLs: rtmp:// and http://….flv")
    .requiredOption("--domain <domain>", "play domain", parseName("domain"))
    .option("--app <name>", "AppName", parseName("AppName"), "live")
    .requiredOption("--stream <name>", "stream name", parseName("stream name"))
    .option(
      "--key <key>",
      "the play domain's authentication key (unsigned URLs without it)",
      parseKey,
    )
    .option(
      "--expires <when>",
      "expiry: a duration (2h, 30m, 7d), an ISO time or Unix seconds (default 24h)",
      (value) => parseExpiry(value, Date.now()),
    )
    .option(
      "--server <host:port>",
      "connect to this RTMP address instead of the domain",
      parseHostPort,
    )
    .option(
      "--http-server <host:port>",
      `HTTP address for the .flv URL (default: --server's host, port ${DEFAULT_HTTP_PORT})`,
      parseHostPort,
    )
    .option("--only <protocol>", "print only the rtmp or the flv URL", (value) => {
      if (value !== "rtmp" && value !== "flv") throw new InvalidArgumentError("takes rtmp or flv");
      return value;
    })
    .option("--json", "print rtmp, flv, txTime, txSecret and the expiry as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  onair play-url --domain play.example.com --stream room42 --key $PLAY_KEY",
        "  onair play-url --domain play.example.com --stream room42 --key $PLAY_KEY --server 127.0.0.1:1935",
        '  ffplay "$(onair play-url --domain localhost --stream cam1 --server 127.0.0.1:1935 --only flv)"',
      ].join("\n"),
    )
    .action((flags: PlayUrlFlags) => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const expiresAt = flags.expires ?? nowSeconds + DEFAULT_VALIDITY_SECONDS;
      const signed = flags.key
        ? signPushUrl({ key: flags.key, streamName: flags.stream, expiresAt })
        : null;
      const query = new URLSearchParams();
      if (signed) {
        query.set("txSecret", signed.txSecret);
        query.set("txTime", signed.txTime);
      }
      if (flags.server || flags.httpServer) query.set("domain", flags.domain);
      const search = query.size > 0 ? `?${query}` : "";
      const rtmpHost = flags.server ?? flags.domain;
      const httpHost =
        flags.httpServer ??
        (flags.server ? `${flags.server.replace(/:\d+$/, "")}:${DEFAULT_HTTP_PORT}` : flags.domain);
      const path = `${flags.app}/${encodeURIComponent(flags.stream)}`;
      const urls = {
        rtmp: `rtmp://${rtmpHost}/${path}${search}`,
        flv: `http://${httpHost}/${path}.flv${search}`,
      };
      const expiry = new Date(expiresAt * 1000).toISOString();
      if (flags.json) {
        const body = {
          ...urls,
          txTime: signed?.txTime,
          txSecret: signed?.txSecret,
          expires_at: expiry,
        };
        process.stdout.write(`${JSON.stringify(body)}\n`);
      } else {
        const lines = flags.only ? [urls[flags.only]] : [urls.rtmp, urls.flv];
        process.stdout.write(`${lines.join("\n")}\n`);
      }
      if (signed && expiresAt <= nowSeconds)
        process.stderr.write(`note: these URLs expired at ${expiry}\n`);
    });
}
