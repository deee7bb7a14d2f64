import { readFileSync } from "node:fs";
import { OnAirBaseError } from "@onair/callbacks";
import { Command, CommanderError } from "commander";
import { cliLine } from "./cli-line.js";
import { addDeliveriesCommand } from "./deliveries-command.js";
import { addListenCommand } from "./listen-command.js";
import { parseInteger } from "./parse-integer.js";
import { addPlayUrlCommand } from "./play-url-command.js";
import { addPushUrlCommand } from "./push-url-command.js";
import { startCommand } from "./start-command.js";
import { addTestCallbackCommand } from "./test-callback-command.js";
import { addTriggerCommand } from "./trigger-command.js";
import { addVerifyCommand } from "./verify-command.js";

/** The server package's version, from its package.json (dist/src/cli → the package root). */
function packageVersion(): string {
  const file = new URL("../../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/**
 * Every command and flag of `onair`, without running anything (the doc test checks the docs'
 * commands and flags against it).
 */
export function createProgram(): Command {
  const program = new Command("onair")
    .description("OnAir: live-stream event callbacks, wire-compatible with Tencent Cloud CSS")
    .version(packageVersion(), "-V, --version", "print the version of OnAir")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("start")
    .description(
      "run OnAir: RTMP ingest, management API, dashboard, intake, hooks, dispatcher (SQLite in --data-dir by default)",
    )
    .option("--http-port <port>", "HTTP port (env ONAIR_HTTP_PORT, default 8080)", parseInteger)
    .option("--http-host <host>", "HTTP bind address (default 0.0.0.0)")
    .option(
      "--rtmp-port <port>",
      "RTMP ingest port (env ONAIR_RTMP_PORT, default 1935)",
      parseInteger,
    )
    .option("--rtmp-host <host>", "RTMP bind address (default 0.0.0.0)")
    .option("--data-dir <dir>", "data directory (env ONAIR_DATA_DIR, default ./data)")
    .option("--database-url <url>", "postgres://… to use PostgreSQL (env ONAIR_DATABASE_URL)")
    .option("--config <file>", "JSON config file (env ONAIR_CONFIG)")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent")
    .addHelpText(
      "after",
      "\nExamples:\n  onair start\n  onair start --http-port 9000 --data-dir /var/lib/onair\n  ONAIR_DATABASE_URL=postgres://127.0.0.1/onair onair start",
    )
    .action(startCommand);

  addDeliveriesCommand(program);
  addListenCommand(program);
  addTriggerCommand(program);
  addPushUrlCommand(program);
  addPlayUrlCommand(program);
  addVerifyCommand(program);
  addTestCallbackCommand(program);
  return program;
}

/**
 * The `onair` command. Returns the exit code; errors become one line on stderr.
 *
 * @example
 * onair start --http-port 8080 --data-dir ./data
 */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (or the help text).
      return err.exitCode;
    }
    if (err instanceof OnAirBaseError) {
      process.stderr.write(`${cliLine(err)}\n`);
      return 1;
    }
    process.stderr.write(`onair: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
