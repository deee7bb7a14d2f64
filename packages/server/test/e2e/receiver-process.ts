/**
 * A callback receiver in its own process, as a customer's server would be: it verifies every POST
 * with @onair/callbacks and prints one JSON line per request. Replies follow RECEIVER_SCRIPT, a
 * comma list of statuses ("500,500,200"; the last repeats; "hang" never answers).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CallbackVerificationError, readWebhookId, verify } from "@onair/callbacks";

const key = process.env.RECEIVER_KEY ?? "";
const script = (process.env.RECEIVER_SCRIPT ?? "200").split(",");
let served = 0;

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const step = script[Math.min(served, script.length - 1)] ?? "200";
  served++;
  const line: Record<string, unknown> = {
    at: Date.now(),
    webhookId: readWebhookId(req.headers),
    path: req.url,
    userAgent: req.headers["user-agent"],
  };
  try {
    const event = verify(body, req.headers, { key, requireWebhookSignature: true });
    line.verified = true;
    line.event = event;
  } catch (err) {
    line.verified = false;
    line.error = err instanceof CallbackVerificationError ? err.code : String(err);
  }
  line.reply = step;
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (step === "hang") return;
  const [kind, arg] = step.split(":");
  if (kind === "delay") await new Promise((resolve) => setTimeout(resolve, Number(arg)));
  const status = kind === "delay" ? 200 : Number(kind);
  res.writeHead(status, {
    "content-type": "application/json",
    ...(arg && kind !== "delay" ? { "retry-after": arg } : {}),
  });
  res.end(JSON.stringify({ code: status === 200 ? 0 : -1 }));
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`,
  );
});
