import { setTimeout as sleep } from "node:timers/promises";
import { createCallbackRequest, Errcode } from "@onair/callbacks";
import { Argument, type Command, Option } from "commander";
import { Agent } from "undici";
import { newId, newSequence } from "../domain/ids.js";
import { TENCENT_INTL_RETRY_POLICY } from "../domain/retry-policy.js";
import { exitWithFailure } from "./cli-failure.js";
import { colorEnabled, createPalette, type Palette } from "./colors.js";
import { snippet, summarizeEvent } from "./event-summary.js";
import { postBody } from "./http-post.js";
import { atLeast, parseHttpUrl, parseKey, parseName } from "./parse-flags.js";
import {
  type PlannedEvent,
  planEvents,
  TRIGGER_KINDS,
  type TriggerKind,
} from "./trigger-events.js";

interface TriggerFlags {
  url: URL;
  key: string;
  stream: string;
  domain: string;
  app: string;
  appid: number;
  errcode: number;
  duplicate: number;
  outOfOrder?: boolean;
  retry?: boolean;
  retryIntervalMs?: number;
  maxRetries?: number;
  timeoutMs: number;
  webhookHeaders: boolean;
}

/** One event as sent: same `webhook-id` for its duplicates and retries, like one delivery. */
interface Send {
  event: PlannedEvent;
  webhookId: string;
  copy: number;
}

/** `onair trigger`: sends realistic signed callbacks to a URL, the way OnAir's dispatcher does. */
export function addTriggerCommand(program: Command): void {
  program
    .command("trigger")
    .description(
      "send realistic signed callbacks to your app (push, interrupt, … or a whole session)",
    )
    .addArgument(new Argument("<kind>", "what to send").choices(TRIGGER_KINDS))
    .requiredOption("--url <url>", "your callback URL", parseHttpUrl)
    .addOption(
      new Option("--key <key>", "the CallbackKey to sign with")
        .env("ONAIR_CALLBACK_KEY")
        .argParser(parseKey)
        .makeOptionMandatory(),
    )
    .option("--stream <name>", "stream name", parseName("stream name"), "test_stream")
    .option(
      "--domain <domain>",
      "push domain (`app` in the body)",
      parseName("domain"),
      "test.domain.com",
    )
    .option("--app <name>", "AppName (`appname` in the body)", parseName("AppName"), "live")
    .option("--appid <n>", "appid in the body", atLeast(0), 12_345_678)
    .option("--errcode <n>", "errcode of the interruption", atLeast(0), Errcode.ClientDeleteStream)
    .option("--duplicate <n>", "send every event n times", atLeast(1), 1)
    .option("--out-of-order", "send the events in reverse order (deterministic)")
    .option("--retry", "retry non-200 answers on Tencent's schedule (60 s apart, 3 retries)")
    .option("--retry-interval-ms <ms>", "time between retries (implies --retry)", atLeast(0))
    .option("--max-retries <n>", "retries after the first attempt (implies --retry)", atLeast(0))
    .option(
      "--timeout-ms <ms>",
      "per-attempt timeout",
      atLeast(1),
      TENCENT_INTL_RETRY_POLICY.timeoutMs,
    )
    .option("--no-webhook-headers", "leave out the Standard Webhooks headers, as Tencent does")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  onair trigger push --url http://127.0.0.1:3000/callbacks --key MyCallbackKey",
        "  onair trigger interrupt --url http://127.0.0.1:3000/callbacks --key MyCallbackKey --errcode 3",
        "  onair trigger session --url http://127.0.0.1:4040 --key MyCallbackKey --duplicate 2 --out-of-order",
        "  onair trigger record --url http://127.0.0.1:3000/callbacks --key MyCallbackKey --retry --retry-interval-ms 500",
        "",
        "session sends push, two snapshots, a recording file and the interruption (same sequence",
        "for push and interruption). Exit code 0 when every event was answered 200, else 1.",
      ].join("\n"),
    )
    .action(trigger);
}

async function trigger(kind: TriggerKind, flags: TriggerFlags): Promise<void> {
  const palette = createPalette(colorEnabled(process.stdout, process.env));
  const retrying =
    flags.retry === true || flags.retryIntervalMs !== undefined || flags.maxRetries !== undefined;
  const intervalMs = flags.retryIntervalMs ?? TENCENT_INTL_RETRY_POLICY.intervalMs;
  const attempts = retrying ? (flags.maxRetries ?? TENCENT_INTL_RETRY_POLICY.maxRetries) + 1 : 1;

  const planned = planEvents(
    kind,
    {
      appid: flags.appid,
      domainName: flags.domain,
      appName: flags.app,
      streamName: flags.stream,
      errcode: flags.errcode,
      key: flags.key,
    },
    { nowMs: Date.now(), sequence: newSequence(), fileId: newSequence() },
  );
  const ordered = flags.outOfOrder ? [...planned].reverse() : planned;
  const sends: Send[] = ordered.flatMap((event) => {
    const webhookId = newId("msg");
    return Array.from({ length: flags.duplicate }, (_, i) => ({ event, webhookId, copy: i + 1 }));
  });

  const dispatcher = new Agent({ keepAliveTimeout: 5_000 });
  const failures: string[] = [];
  try {
    for (const send of sends) {
      const failure = await deliver(send, {
        flags,
        attempts,
        intervalMs,
        palette,
        dispatcher,
        copies: flags.duplicate,
      });
      if (failure) failures.push(failure);
    }
  } finally {
    await dispatcher.close();
  }
  const total = sends.length;
  if (failures.length === 0) {
    process.stdout.write(
      `${palette.green(`${total} of ${total} event${total === 1 ? "" : "s"} answered 200`)}\n`,
    );
    return;
  }
  exitWithFailure([
    `onair: ${failures.length} of ${total} event${total === 1 ? "" : "s"} not answered 200 (first: ${failures[0]})`,
  ]);
}

/** Sends one event until it is answered 200 or the attempts run out; returns why it failed. */
async function deliver(
  send: Send,
  ctx: {
    flags: TriggerFlags;
    attempts: number;
    intervalMs: number;
    palette: Palette;
    dispatcher: Agent;
    copies: number;
  },
): Promise<string | undefined> {
  const { flags, palette: c } = ctx;
  const summary = summarizeEvent(send.event.body);
  const seq = summary.facts.seq === undefined ? "" : `  seq ${summary.facts.seq}`;
  const name = `${summary.name}(${summary.eventType})`.padEnd(20);
  const copy = ctx.copies > 1 ? `  copy ${send.copy}/${ctx.copies}` : "";
  const head = `${c.bold(name)}  ${c.cyan(flags.stream)}${seq}${copy}`;
  let last = "";
  for (let attempt = 1; attempt <= ctx.attempts; attempt++) {
    // A fresh t/sign every attempt, the same webhook-id: exactly what OnAir's dispatcher sends.
    const request = createCallbackRequest({
      body: send.event.body,
      keys: [flags.key],
      webhookId: send.webhookId,
      nowMs: Date.now(),
      webhookHeaders: flags.webhookHeaders,
    });
    const result = await postBody({
      url: flags.url,
      body: request.body,
      headers: request.headers,
      timeoutMs: flags.timeoutMs,
      dispatcher: ctx.dispatcher,
    });
    const ok = result.ok && result.statusCode === 200;
    last = result.ok ? `HTTP ${result.statusCode}` : result.reason;
    const outcome = result.ok
      ? `${(ok ? c.green : c.red)(String(result.statusCode))} in ${result.durationMs} ms  ${c.dim(snippet(result.body, 80))}`
      : `${c.red("failed")}: ${result.reason}`;
    const more = !ok && attempt < ctx.attempts;
    const counter = ctx.attempts > 1 ? `  attempt ${attempt}/${ctx.attempts}` : "";
    process.stdout.write(
      `${c.dim(new Date().toTimeString().slice(0, 8))}  ${head}${counter}  -> ${outcome}${more ? c.yellow(`  retrying in ${ctx.intervalMs} ms`) : ""}\n`,
    );
    if (ok) return undefined;
    if (more) await sleep(ctx.intervalMs);
  }
  return `${summary.name} ${last}${ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : ""}`;
}
