import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { type Command, Option } from "commander";
import { OnAirError } from "../errors.js";
import { exitWithFailure } from "./cli-failure.js";
import { cliLine } from "./cli-line.js";
import { colorEnabled, createPalette } from "./colors.js";
import { diagnoseCallback } from "./diagnose-callback.js";
import { formatFacts, summarizeEvent } from "./event-summary.js";
import { parseExpiry } from "./parse-expiry.js";
import { parseKey } from "./parse-flags.js";
import { parseHeadersText } from "./read-headers.js";

interface VerifyFlags {
  key: string;
  headers?: string;
  at?: number;
}

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER",
      `cannot read ${what} ${file}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`,
      { cause: err },
    );
  }
}

async function readBody(file: string | undefined): Promise<Buffer> {
  if (file !== undefined && file !== "-") return readInput(file, "body");
  if (process.stdin.isTTY)
    throw new OnAirError(
      "ONAIR_ERR_MISSING_PARAMETER",
      "give a body file, or pipe the body on stdin (onair verify - < body.json)",
    );
  return Buffer.from(await text(process.stdin), "utf8");
}

/** `onair verify`: checks a saved callback body against a CallbackKey and explains failures. */
export function addVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description("check a saved callback body against a CallbackKey and explain why it fails")
    .argument("[file]", "the body as received; - or nothing for stdin")
    .addOption(
      new Option("--key <key>", "the CallbackKey")
        .env("ONAIR_CALLBACK_KEY")
        .argParser(parseKey)
        .makeOptionMandatory(),
    )
    .option(
      "--headers <file>",
      "the request headers (JSON object or `name: value` lines) to check webhook-signature and Content-Type",
    )
    .option(
      "--at <time>",
      "check as if received at this time (Unix seconds or ISO time)",
      (value) => parseExpiry(value, Date.now()),
    )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  onair verify body.json --key MyCallbackKey",
        "  onair verify body.json --key MyCallbackKey --headers headers.txt",
        "  pbpaste | onair verify - --key MyCallbackKey",
        "  onair verify old-body.json --key MyCallbackKey --at 2024-01-01T12:00:00Z",
        "",
        "Exit code 0 when the body verifies, 1 otherwise with one line per problem, each naming",
        "the verifier's error code (ONAIR_ERR_CALLBACK_BAD_SIGN, …_EXPIRED, …).",
      ].join("\n"),
    )
    .action(async (file: string | undefined, flags: VerifyFlags) => {
      const body = await readBody(file);
      const headers = flags.headers
        ? parseHeadersText((await readInput(flags.headers, "headers")).toString("utf8"))
        : {};
      const diagnosis = diagnoseCallback({
        body,
        headers,
        key: flags.key,
        nowMs: flags.at === undefined ? Date.now() : flags.at * 1000,
      });
      if (!diagnosis.valid) exitWithFailure(diagnosis.problems.map(cliLine));
      const c = createPalette(colorEnabled(process.stdout, process.env));
      const summary = summarizeEvent(JSON.parse(body.toString("utf8")));
      const checks = [
        "sign ok",
        `t valid for ${diagnosis.expiresInSeconds} more s`,
        diagnosis.webhookSignature ? "webhook-signature ok" : "no webhook-signature header",
      ];
      process.stdout.write(
        `${c.green("valid")}: ${summary.name}(${summary.eventType})  ${summary.stream ?? "-"}  ${formatFacts(summary.facts)}  (${checks.join(", ")})\n`,
      );
    });
}
