import type { Palette } from "./colors.js";
import { type EventSummary, formatFacts, snippet, summarizeEvent } from "./event-summary.js";
import type { ListenReport } from "./listen-server.js";

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

const clock = (at: Date) => at.toTimeString().slice(0, 8);

function label(summary: EventSummary): string {
  return summary.eventType === undefined ? summary.name : `${summary.name}(${summary.eventType})`;
}

/**
 * One event as `onair listen` prints it for a human: time, event, stream, key facts, verdict;
 * then the app's answer (`--forward-to`) and the whole body (`-v`) on following lines.
 */
export function formatReport(
  report: ListenReport,
  options: { palette: Palette; verbose: boolean },
): string {
  const { palette: c } = options;
  const json = parseBody(report.body);
  const summary = summarizeEvent(json);
  const verdict = report.verdict.verified
    ? c.green("VERIFIED")
    : `${c.red("REJECTED")} ${report.verdict.error.code} ${c.dim(`(${report.verdict.error.message})`)}`;
  const parts = [
    c.dim(clock(report.receivedAt)),
    c.bold(label(summary).padEnd(20)),
    c.cyan(summary.stream ?? "-"),
    formatFacts(summary.facts),
    verdict,
  ];
  if (report.seen > 1) parts.push(c.yellow(`repeat #${report.seen} of ${report.webhookId}`));
  const lines = [parts.filter((p) => p !== "").join("  ")];
  const forward = report.forward;
  if (forward) {
    lines.push(
      forward.ok
        ? `  -> app ${(forward.statusCode === 200 ? c.green : c.red)(String(forward.statusCode))} in ${forward.durationMs} ms  ${c.dim(snippet(forward.body))}`
        : `  -> app ${c.red("unreachable")}: ${forward.reason}; answered ${report.answered}`,
    );
  }
  if (options.verbose) {
    const pretty =
      json === undefined ? report.body.toString("utf8") : JSON.stringify(json, null, 2);
    lines.push(...pretty.split("\n").map((line) => `    ${line}`));
  }
  return lines.join("\n");
}

/** One event as one JSON object (`--json`): the same facts, machine-readable. */
export function reportToJson(report: ListenReport, options: { verbose: boolean }): string {
  const json = parseBody(report.body);
  const summary = summarizeEvent(json);
  const forward = report.forward;
  return JSON.stringify({
    time: report.receivedAt.toISOString(),
    event_type: summary.eventType ?? null,
    event: summary.name,
    stream: summary.stream ?? null,
    facts: summary.facts,
    verified: report.verdict.verified,
    ...(report.verdict.verified
      ? {}
      : { code: report.verdict.error.code, reason: report.verdict.error.message }),
    webhook_id: report.webhookId ?? null,
    seen: report.seen,
    answered: report.answered,
    ...(forward
      ? {
          forward: forward.ok
            ? {
                status: forward.statusCode,
                duration_ms: forward.durationMs,
                reply: snippet(forward.body, 500),
              }
            : { error: forward.reason, duration_ms: forward.durationMs },
        }
      : {}),
    ...(options.verbose ? { body: json ?? report.body.toString("utf8") } : {}),
  });
}
