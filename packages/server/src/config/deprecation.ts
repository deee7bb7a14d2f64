const warned = new Set<string>();

/**
 * Prints a Node DeprecationWarning once per process for each `code` (silenced, like Node's own,
 * by `--no-deprecation`).
 */
function warnDeprecatedOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  process.emitWarning(message, { type: "DeprecationWarning", code });
}

/** The warning for a retry preset given by its old name. */
export function warnDeprecatedRetryPreset(name: string, current: string, where: string): void {
  warnDeprecatedOnce(
    "ONAIR_DEP_RETRY_PRESET",
    `${where}: the retry preset "${name}" is now called "${current}"; "${name}" will be removed`,
  );
}
