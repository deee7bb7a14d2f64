import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a `RecordingReceiver` got. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** A real HTTP receiver on loopback that keeps what it got and answers `status()`. */
export interface RecordingReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Sets what later requests are answered with (default 200, body "ok"). */
  answer(status: number, body?: string): void;
  close(): Promise<void>;
}

/** Bodies kept at most: a runaway sender cannot grow the test's memory without bound. */
const MAX_KEPT = 10_000;

export async function startRecordingReceiver(path = "/hook"): Promise<RecordingReceiver> {
  const received: ReceivedRequest[] = [];
  let reply = { status: 200, body: "ok" };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1024 * 1024) chunks.push(chunk);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // Kept as text: the test asserts on what it expected.
      }
      if (received.length < MAX_KEPT) received.push({ headers: req.headers, body, json });
      res.writeHead(reply.status, { "content-type": "text/plain" });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answer(status, body = status === 200 ? "ok" : `error ${status}`) {
      reply = { status, body };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
