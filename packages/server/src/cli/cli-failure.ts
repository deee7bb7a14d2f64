import { CommanderError } from "commander";

/**
 * Ends a command with exit code 1 after printing its own explanation on stderr. `main` treats a
 * `CommanderError` as already reported, so nothing else is printed.
 */
export function exitWithFailure(lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  throw new CommanderError(1, "onair.failed", lines.join("; "));
}
