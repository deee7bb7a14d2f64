/** Publish → push callback and TCP close → interruption callback, matched by stream name. */
import type { ReceivedEvent } from "./callback-receiver.js";
import type { PublishRound } from "./load-run.js";

const PUSH = 1;
const INTERRUPTION = 0;

export interface LatencySamples {
  publishToPush: number[];
  closeToInterruption: number[];
  /** Expected callbacks that never arrived. */
  missing: number;
}

export function expectedCallbacksArrived(round: PublishRound, events: ReceivedEvent[]): boolean {
  return round.publishers.every(
    (p) =>
      events.some((e) => e.eventType === PUSH && e.streamId === p.stream) &&
      events.some((e) => e.eventType === INTERRUPTION && e.streamId === p.stream),
  );
}

export function latencies(rounds: PublishRound[], events: ReceivedEvent[]): LatencySamples {
  const samples: LatencySamples = { publishToPush: [], closeToInterruption: [], missing: 0 };
  for (const round of rounds) {
    for (const p of round.publishers) {
      const push = events.find((e) => e.eventType === PUSH && e.streamId === p.stream);
      if (push) samples.publishToPush.push(push.at - p.publishSentAt);
      else samples.missing++;
      const closedAt = round.closedAt.get(p.stream);
      const end = events.find((e) => e.eventType === INTERRUPTION && e.streamId === p.stream);
      if (end && closedAt !== undefined) samples.closeToInterruption.push(end.at - closedAt);
      else samples.missing++;
    }
  }
  return samples;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}
