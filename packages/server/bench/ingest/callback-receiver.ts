/** A tiny HTTP callback receiver on 127.0.0.1 that timestamps each event as it arrives. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

export interface ReceivedEvent {
  /** performance.now() when the request body was complete. */
  at: number;
  eventType: number;
  streamId: string;
}

export interface CallbackReceiver {
  url: string;
  events: ReceivedEvent[];
  /** Waits until `predicate` holds for the events so far, or the timeout passes. */
  waitUntil(predicate: (events: ReceivedEvent[]) => boolean, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const events: ReceivedEvent[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const at = performance.now();
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (typeof body === "object" && body !== null) {
        const { event_type, stream_id } = body as { event_type?: unknown; stream_id?: unknown };
        events.push({ at, eventType: Number(event_type), streamId: String(stream_id) });
      }
    } catch {
      // not an event: answered all the same so nothing retries it
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"code":0}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    events,
    async waitUntil(predicate, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (!predicate(events)) {
        if (performance.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
