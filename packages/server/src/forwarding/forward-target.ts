import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { pushRtmp, type RtmpPush } from "../ingest/client/rtmp-push-client.js";
import type { PublishedStream } from "../media/published-stream.js";
import { redactedUrl } from "./forward-url.js";

/**
 * connecting: an attempt is under way; live: the target accepted the publish and media flows;
 * retrying: the last attempt failed, the next one waits its back-off; failed: given up (the
 * rule's URL cannot be used).
 */
export type ForwardState = "connecting" | "live" | "retrying" | "failed";

/** What DescribeLiveForwardTargets shows of one target of one live publish. */
export interface ForwardTargetStatus {
  domainName: string;
  appName: string;
  streamName: string;
  /** The rule's URL, as created. */
  ruleUrl: string;
  /** Where this publish goes (placeholders replaced). */
  targetUrl: string;
  state: ForwardState;
  /** Since when it is in `state`. */
  since: Date;
  lastError: string | null;
  /** Bytes written to the target over every attempt. */
  bytesSent: number;
  attempts: number;
  failures: number;
}

/** The forwarding settings (config `forwarding`, docs/relay.md). */
export interface ForwardSettings {
  connectTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  maxQueuedBytes: number;
  maxSkippedKeyframes: number;
  tlsSkipVerify: boolean;
}

/** The wait before retry number `failuresInARow` (1, 2, …): doubling from `initialMs` to `maxMs`. */
export function retryDelayMs(
  failuresInARow: number,
  policy: { initialMs: number; maxMs: number },
): number {
  const exponent = Math.min(Math.max(failuresInARow - 1, 0), 30);
  return Math.min(policy.initialMs * 2 ** exponent, policy.maxMs);
}

/**
 * One target of one live publish: pushes the stream to it, and after a failure waits (doubling
 * back-off) and tries again, for as long as the publish is live. A failure stays here: it is
 * logged, counted (`onFailure`) and shown, and never reaches the publisher or other targets.
 */
export class ForwardTarget {
  private push: RtmpPush | null = null;
  private retry: NodeJS.Timeout | null = null;
  private finishedBytes = 0;
  private failuresInARow = 0;
  private stopped = false;
  private status: Omit<ForwardTargetStatus, "bytesSent">;

  constructor(
    private readonly stream: PublishedStream,
    target: { ruleUrl: string; targetUrl: string },
    private readonly deps: {
      settings: ForwardSettings;
      clock: Clock;
      logger: Logger;
      onFailure: () => void;
    },
  ) {
    this.status = {
      ...stream.key,
      ...target,
      state: "connecting",
      since: deps.clock.now(),
      lastError: null,
      attempts: 0,
      failures: 0,
    };
  }

  snapshot(): ForwardTargetStatus {
    return { ...this.status, bytesSent: this.bytesSent };
  }

  get bytesSent(): number {
    return this.finishedBytes + (this.push?.bytesSent ?? 0);
  }

  /** Gives up at once with `reason` (a URL that cannot be used). */
  fail(reason: string): void {
    this.status.lastError = reason;
    this.status.failures++;
    this.setState("failed");
    this.deps.onFailure();
  }

  start(): void {
    if (this.stopped || this.stream.closed) return;
    this.retry = null;
    this.status.attempts++;
    this.setState("connecting");
    const s = this.deps.settings;
    const push = pushRtmp({
      url: this.status.targetUrl,
      source: this.stream,
      connectTimeoutMs: s.connectTimeoutMs,
      tlsSkipVerify: s.tlsSkipVerify,
      maxQueuedBytes: s.maxQueuedBytes,
      maxSkippedKeyframes: s.maxSkippedKeyframes,
      onLive: () => {
        this.failuresInARow = 0;
        this.setState("live");
      },
    });
    this.push = push;
    void push.done.then((outcome) => {
      this.finishedBytes += outcome.bytesSent;
      this.push = null;
      if (outcome.reason !== "failed" || this.stopped) return;
      this.failuresInARow++;
      this.status.failures++;
      this.status.lastError = outcome.error;
      this.deps.onFailure();
      const delay = retryDelayMs(this.failuresInARow, {
        initialMs: s.retryInitialMs,
        maxMs: s.retryMaxMs,
      });
      this.deps.logger.warn(
        {
          stream: `${this.status.domainName}/${this.status.appName}/${this.status.streamName}`,
          target: redactedUrl(this.status.targetUrl),
          error: outcome.error,
          retryInMs: delay,
        },
        "forward target failed",
      );
      if (this.stream.closed) return;
      this.setState("retrying");
      this.retry = setTimeout(() => this.start(), delay);
      this.retry.unref();
    });
  }

  /** The publish ended (or the node stops): no more attempts; a running push says goodbye. */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.push?.stop();
  }

  private setState(state: ForwardState): void {
    if (this.status.state === state && state !== "connecting") return;
    this.status.state = state;
    this.status.since = this.deps.clock.now();
  }
}
