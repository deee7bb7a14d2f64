import { type LevelWithSilent, type Logger, pino } from "pino";

/** A pino logger at `level` whose lines are parsed into `lines`, for tests asserting on logs. */
export function captureLogs(
  level: LevelWithSilent,
  lines: Record<string, unknown>[] = [],
): { logger: Logger; lines: Record<string, unknown>[] } {
  const logger = pino(
    { level },
    {
      write(chunk: string) {
        for (const line of chunk.split("\n")) if (line) lines.push(JSON.parse(line));
      },
    },
  );
  return { logger, lines };
}

/** The logger tests use when they do not read the logs: silent unless ONAIR_TEST_LOG is set. */
export function testLogger(): Logger {
  return pino({ level: process.env.ONAIR_TEST_LOG ?? "silent" });
}
