/** One line for the CLI's stderr: `onair: <message> (<code>)` (docs/cli.md). */
export function cliLine(error: { code: string; message: string }): string {
  return `onair: ${error.message} (${error.code})`;
}
