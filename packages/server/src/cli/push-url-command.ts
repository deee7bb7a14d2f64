import { buildPushUrl, signPushUrl } from "@onair/callbacks";
import { type Command, InvalidArgumentError } from "commander";
import { parseExpiry } from "./parse-expiry.js";
import { parseKey, parseName } from "./parse-flags.js";

interface PushUrlFlags {
  domain: string;
  app: string;
  stream: string;
  key: string;
  expires?: number;
  scheme: string;
  server?: string;
  json?: boolean;
}

/** `host`, `host:port` or `[v6]:port`: where this OnAir's RTMP ingest listens. */
function parseServer(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[\w.-]+)(:\d{1,5})?$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not host or host:port (try 127.0.0.1:1935)`);
  return value;
}

/** Tencent's console default for a push URL's validity. */
const DEFAULT_VALIDITY_SECONDS = 24 * 3_600;

/** `onair push-url`: a push URL signed with Tencent's txSecret/txTime scheme (docs/cli.md). */
export function addPushUrlCommand(program: Command): void {
  program
    .command("push-url")
    .description("print a signed push URL (txSecret = md5(key + stream + txTime))")
    .requiredOption("--domain <domain>", "push domain", parseName("domain"))
    .option("--app <name>", "AppName", parseName("AppName"), "live")
    .requiredOption("--stream <name>", "stream name", parseName("stream name"))
    .requiredOption("--key <key>", "the push domain's authentication key", parseKey)
    .option(
      "--expires <when>",
      "expiry: a duration (2h, 30m, 7d), an ISO time or Unix seconds (default 24h)",
      (value) => parseExpiry(value, Date.now()),
    )
    .option(
      "--scheme <scheme>",
      "URL scheme (rtmp, rtmps, webrtc, srt…)",
      parseName("scheme"),
      "rtmp",
    )
    .option(
      "--server <host:port>",
      "push to this OnAir by address, the domain as ?domain= (as the dashboard's generator)",
      parseServer,
    )
    .option("--json", "print url, txTime, txSecret and the expiry as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  onair push-url --domain push.example.com --stream room42 --key $PUSH_KEY",
        "  onair push-url --domain push.example.com --app live --stream room42 --key $PUSH_KEY --expires 2h",
        "  onair push-url --domain push.example.com --stream test --key e12c46f2612d5106e2034781ab261ca3 --expires 1546064025",
        "  onair push-url --domain push.example.com --stream room42 --key $PUSH_KEY --expires 2030-01-01T00:00:00Z --json",
        "  onair push-url --domain push.example.com --stream room42 --key $PUSH_KEY --server 127.0.0.1:1935",
      ].join("\n"),
    )
    .action((flags: PushUrlFlags) => {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const expiresAt = flags.expires ?? nowSeconds + DEFAULT_VALIDITY_SECONDS;
      const options = {
        domain: flags.domain,
        appName: flags.app,
        streamName: flags.stream,
        key: flags.key,
        expiresAt,
        scheme: flags.scheme,
      };
      const signed = buildPushUrl(options);
      // The domain's own name resolves to this server only in production DNS; by address, the
      // domain travels as a parameter (docs/ingest.md).
      const url = flags.server
        ? signed
            .replace(`://${flags.domain}/`, `://${flags.server}/`)
            .replace("?", `?domain=${encodeURIComponent(flags.domain)}&`)
        : signed;
      const expiry = new Date(expiresAt * 1000).toISOString();
      if (flags.json) {
        const { txTime, txSecret } = signPushUrl(options);
        process.stdout.write(`${JSON.stringify({ url, txTime, txSecret, expires_at: expiry })}\n`);
      } else {
        process.stdout.write(`${url}\n`);
      }
      // On stderr so `$(onair push-url …)` still captures just the URL.
      if (expiresAt <= nowSeconds) process.stderr.write(`note: this URL expired at ${expiry}\n`);
    });
}
