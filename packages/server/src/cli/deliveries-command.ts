import type { Command } from "commander";
import { callAction, resolveTarget } from "./api-client.js";
import { parseInteger } from "./parse-integer.js";

interface TargetFlags {
  url?: string;
  dataDir?: string;
  json?: boolean;
}

const print = (flags: TargetFlags, value: unknown, lines: () => string[]) =>
  process.stdout.write(`${flags.json ? JSON.stringify(value, null, 2) : lines().join("\n")}\n`);

/** "  next attempt 2026-…Z" for a pending delivery (UTC, as every time of these actions). */
const nextAttempt = (d: Record<string, unknown>) =>
  d.NextAttemptTime ? `  next attempt ${d.NextAttemptTime}` : "";

/** `onair deliveries list|show|redeliver`: the delivery log of a running OnAir. */
export function addDeliveriesCommand(program: Command): void {
  const deliveries = program
    .command("deliveries")
    .description("inspect and redeliver callbacks of a running OnAir");
  const target = (cmd: Command) =>
    cmd
      .option("--url <url>", "OnAir's HTTP address (env ONAIR_URL, default http://127.0.0.1:8080)")
      .option("--data-dir <dir>", "where credentials.json is (env ONAIR_DATA_DIR, default ./data)")
      .option("--json", "print JSON");

  target(deliveries.command("list"))
    .description("list deliveries, newest first")
    .option("--status <status...>", "pending, delivered, dead, disabled")
    .option("--stream <name>", "only this stream")
    .option("--url-filter <url>", "only this callback URL")
    .option("--event-type <n...>", "only these event types", (v, all: number[] = []) => [
      ...all,
      parseInteger(v),
    ])
    .option("--limit <n>", "at most this many (default 50)", parseInteger)
    .option("--cursor <cursor>", "the next page, from a previous list")
    .addHelpText(
      "after",
      "\nExamples:\n  onair deliveries list --status dead\n  onair deliveries list --stream room42 --json",
    )
    .action(
      async (
        flags: TargetFlags & {
          status?: string[];
          stream?: string;
          urlFilter?: string;
          eventType?: number[];
          limit?: number;
          cursor?: string;
        },
      ) => {
        const reply = await callAction(await resolveTarget(flags), "DescribeCallbackDeliveries", {
          ...(flags.status ? { Status: flags.status } : {}),
          ...(flags.stream ? { StreamName: flags.stream } : {}),
          ...(flags.urlFilter ? { Url: flags.urlFilter } : {}),
          ...(flags.eventType ? { EventTypes: flags.eventType } : {}),
          ...(flags.limit ? { Limit: flags.limit } : {}),
          ...(flags.cursor ? { Cursor: flags.cursor } : {}),
        });
        const items = (reply.Deliveries ?? []) as Record<string, unknown>[];
        print(flags, reply, () =>
          [
            ...items.map(
              (d) =>
                `${d.DeliveryId}  ${String(d.Status).padEnd(9)} event ${String(d.EventType).padEnd(3)} ${d.StreamName}  ${d.Attempts} attempt(s)  ${d.Url}${d.LastError ? `  (${d.LastError})` : ""}${nextAttempt(d)}`,
            ),
            items.length ? "" : "no deliveries",
            reply.NextCursor ? `more: --cursor ${reply.NextCursor}` : "",
          ].filter((line, i, all) => line !== "" || i < all.length - 1),
        );
      },
    );

  target(deliveries.command("show <id>"))
    .description("one delivery and every attempt")
    .action(async (id: string, flags: TargetFlags) => {
      const reply = await callAction(
        await resolveTarget(flags),
        "DescribeCallbackDeliveryAttempts",
        { DeliveryId: id },
      );
      const d = reply.Delivery as Record<string, unknown>;
      const attempts = (reply.Attempts ?? []) as Record<string, unknown>[];
      print(flags, reply, () => [
        `${d.DeliveryId}  ${d.Status}  event ${d.EventType}  stream ${d.StreamName}`,
        `  url: ${d.Url}`,
        ...(d.NextAttemptTime ? [`  next attempt: ${d.NextAttemptTime}`] : []),
        ...attempts.map(
          (a) =>
            `  #${a.Number} ${a.StartTime}  ${a.StatusCode || "-"}  ${a.DurationMs} ms  ${a.ErrorCode || "ok"}${a.Response ? `  ${String(a.Response).slice(0, 80)}` : ""}`,
        ),
      ]);
    });

  target(deliveries.command("redeliver [ids...]"))
    .description("send deliveries again: by id, every dead one, or a time range")
    .option("--all-dead", "every dead delivery")
    .option("--from <time>", "created at or after (YYYY-MM-DDThh:mm:ssZ)")
    .option("--to <time>", "created before (YYYY-MM-DDThh:mm:ssZ)")
    .option("--dry-run", "only list what would be sent again")
    .addHelpText(
      "after",
      "\nExamples:\n  onair deliveries redeliver msg_01J…\n  onair deliveries redeliver --all-dead --dry-run",
    )
    .action(
      async (
        ids: string[],
        flags: TargetFlags & { allDead?: boolean; from?: string; to?: string; dryRun?: boolean },
      ) => {
        const reply = await callAction(await resolveTarget(flags), "RedeliverCallbacks", {
          ...(ids.length ? { DeliveryIds: ids } : {}),
          ...(flags.allDead ? { AllDead: true } : {}),
          ...(flags.from ? { StartTime: flags.from } : {}),
          ...(flags.to ? { EndTime: flags.to } : {}),
          DryRun: flags.dryRun ?? false,
        });
        const requeued = (reply.DeliveryIds ?? []) as string[];
        print(flags, reply, () => [
          `${flags.dryRun ? "would redeliver" : "redelivering"} ${requeued.length} deliver${requeued.length === 1 ? "y" : "ies"}`,
          ...requeued.map((id) => `  ${id}`),
        ]);
      },
    );
}
