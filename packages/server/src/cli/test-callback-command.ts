import { type Command, CommanderError } from "commander";
import { callAction, resolveTarget } from "./api-client.js";
import { parseInteger } from "./parse-integer.js";

/**
 * `onair test-callback <templateId>`: asks a running OnAir to POST a signed sample callback to the
 * template's URL (`SendLiveCallbackTest`, OnAir's own action) and prints how the receiver
 * answered. Exit code 1 unless it answered 200.
 */
export function addTestCallbackCommand(program: Command): void {
  program
    .command("test-callback")
    .description("send a signed sample callback to a template's URL and show the answer")
    .argument("<templateId>", "the callback template (TemplateId)", parseInteger)
    .option(
      "--event-type <n>",
      "which of its URLs, by the event type it serves (default 1)",
      parseInteger,
    )
    .option("--stream <name>", "stream name in the sample body")
    .option("--url <url>", "OnAir's HTTP address (env ONAIR_URL, default http://127.0.0.1:8080)")
    .option("--data-dir <dir>", "where credentials.json is (env ONAIR_DATA_DIR, default ./data)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  onair test-callback 1\n  onair test-callback 1 --event-type 0 --json",
    )
    .action(
      async (
        templateId: number,
        flags: {
          eventType?: number;
          stream?: string;
          url?: string;
          dataDir?: string;
          json?: boolean;
        },
      ) => {
        const reply = await callAction(await resolveTarget(flags), "SendLiveCallbackTest", {
          TemplateId: templateId,
          ...(flags.eventType !== undefined ? { EventType: flags.eventType } : {}),
          ...(flags.stream ? { StreamName: flags.stream } : {}),
        });
        const status =
          reply.StatusCode === null ? String(reply.ErrorCode) : `HTTP ${reply.StatusCode}`;
        const lines = [
          `${reply.Success ? "ok" : "failed"}: ${status} in ${reply.DurationMs} ms from ${reply.Url}`,
          ...(reply.ErrorMessage ? [`error: ${reply.ErrorMessage}`] : []),
          `response: ${JSON.stringify(reply.ResponseBody)}`,
        ];
        process.stdout.write(`${flags.json ? JSON.stringify(reply, null, 2) : lines.join("\n")}\n`);
        // The answer is printed: exit 1 without a second line.
        if (!reply.Success) throw new CommanderError(1, "onair.testCallbackFailed", "");
      },
    );
}
