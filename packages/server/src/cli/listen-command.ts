import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { Agent } from "undici";
import { OnAirError } from "../errors.js";
import { colorEnabled, createPalette } from "./colors.js";
import { formatReport, reportToJson } from "./listen-format.js";
import { createListenServer } from "./listen-server.js";
import { parseHttpUrl, parseKey, parsePort } from "./parse-flags.js";

interface ListenFlags {
  port: number;
  host: string;
  key?: string;
  forwardTo?: URL;
  verbose?: boolean;
  json?: boolean;
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A CallbackKey within Tencent's console limit (32 characters of [A-Za-z0-9]). */
function generateKey(): string {
  return [...randomBytes(32)].map((b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join("");
}

/** `onair listen`: a local callback receiver that shows every event and whether it verifies. */
export function addListenCommand(program: Command): void {
  program
    .command("listen")
    .description("receive callbacks locally, verify each one and print it (optionally forward it)")
    .option("--port <port>", "port to listen on, 0 for any free one", parsePort, 4040)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option(
      "--key <key>",
      "the CallbackKey to verify with (env ONAIR_CALLBACK_KEY; default: a new random key, printed)",
      parseKey,
    )
    .option(
      "--forward-to <url>",
      "relay every callback to your app and answer with its status",
      parseHttpUrl,
    )
    .option("-v, --verbose", "print the whole body of every callback")
    .option("--json", "print one JSON object per line (no colours)")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  onair listen --key MyCallbackKey",
        "  onair listen --port 0 --key MyCallbackKey --json",
        "  onair listen --key MyCallbackKey --forward-to http://127.0.0.1:3000/callbacks -v",
        "",
        "Point a template's callback URLs (or `onair trigger --url`) at the printed address.",
        'Answers 200 {"code":0} to verified callbacks and the verifier\'s 4xx (401 for a bad',
        "signature) to rejected ones; with --forward-to, answers with your app's status instead.",
      ].join("\n"),
    )
    .action(listen);
}

async function listen(flags: ListenFlags): Promise<void> {
  const fromEnv = process.env.ONAIR_CALLBACK_KEY;
  const key = flags.key ?? (fromEnv ? parseKey(fromEnv) : generateKey());
  const generated = flags.key === undefined && !fromEnv;
  const json = flags.json === true;
  const palette = createPalette(!json && colorEnabled(process.stdout, process.env));
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const print = (line: string) => process.stdout.write(`${line}\n`);

  const server = createListenServer({
    keys: [key],
    forwardTo: flags.forwardTo,
    dispatcher,
    onReport: (report) =>
      print(
        json
          ? reportToJson(report, { verbose: flags.verbose === true })
          : formatReport(report, { palette, verbose: flags.verbose === true }),
      ),
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new OnAirError(
          "ONAIR_ERR_CONFIG",
          `cannot listen on ${flags.host}:${flags.port}: ${err.code === "EADDRINUSE" ? "the port is in use (try --port 0)" : err.message}`,
          { cause: err },
        ),
      ),
    );
    server.listen(flags.port, flags.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (json) {
    print(JSON.stringify({ listening: url, key, forward_to: flags.forwardTo?.href ?? null }));
  } else {
    // One write, so a reader of the first line also has the forwarding line.
    const lines = [
      `Listening on ${palette.bold(url)} (key ${key}${generated ? ", generated" : ""})`,
    ];
    if (flags.forwardTo) lines.push(`Forwarding to ${flags.forwardTo.href}`);
    lines.push(palette.dim("Ctrl-C to stop"));
    print(lines.join("\n"));
  }

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await dispatcher.close();
}
