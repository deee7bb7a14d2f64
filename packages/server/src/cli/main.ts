import { Command, CommanderError, InvalidArgumentError } from "commander";
import { OnAirError } from "../errors.js";
import { startCommand } from "./start-command.js";

/** Parses an integer flag, with a one-line error naming the flag's value. */
export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return n;
}

/**
 * The `onair` command. Returns the exit code; errors become one line on stderr.
 *
 * @example
 * onair start --http-port 8080 --data-dir ./data
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("onair")
    .description("OnAir: live-stream event callbacks, wire-compatible with Tencent Cloud CSS")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("start")
    .description("run OnAir: management API, intake, dispatcher (SQLite in --data-dir by default)")
    .option("--http-port <port>", "HTTP port (env ONAIR_HTTP_PORT, default 8080)", parseInteger)
    .option("--http-host <host>", "HTTP bind address (default 0.0.0.0)")
    .option("--data-dir <dir>", "data directory (env ONAIR_DATA_DIR, default ./data)")
    .option("--database-url <url>", "postgres://… to use PostgreSQL (env ONAIR_DATABASE_URL)")
    .option("--config <file>", "JSON config file (env ONAIR_CONFIG)")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent")
    .addHelpText(
      "after",
      "\nExamples:\n  onair start\n  onair start --http-port 9000 --data-dir /var/lib/onair\n  ONAIR_DATABASE_URL=postgres://127.0.0.1/onair onair start",
    )
    .action(startCommand);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (or the help text).
      return err.exitCode;
    }
    if (err instanceof OnAirError) {
      process.stderr.write(`${err.toCliLine()}\n`);
      return 1;
    }
    process.stderr.write(`onair: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
