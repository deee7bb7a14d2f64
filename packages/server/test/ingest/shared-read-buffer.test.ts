import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { readIntoSharedBuffer } from "../../src/ingest/shared-read-buffer.js";

test("sockets read into the shared buffer get every byte of their own peer, can write, end and close", async () => {
  const received = new Map<string, Buffer[]>();
  const ended: string[] = [];
  const server = createServer({ pauseOnConnect: true }, (accepted) => {
    let name = "";
    const socket: Socket = readIntoSharedBuffer(accepted, server, (bytes) => {
      // The first byte names the client; the bytes are only valid until this returns: copy.
      if (!name) name = String.fromCharCode(bytes[0] as number);
      const parts = received.get(name) ?? [];
      parts.push(Buffer.from(bytes));
      received.set(name, parts);
    });
    socket.on("end", () => {
      ended.push(name);
      socket.end("bye");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  // Four clients write 1 MiB each at once, in writes of random size: their reads interleave in
  // the one buffer.
  const sent = new Map<string, Buffer>();
  const replies = await Promise.all(
    ["a", "b", "c", "d"].map(
      (name) =>
        new Promise<string>((resolve, reject) => {
          const body = Buffer.concat([Buffer.from(name), randomBytes(1024 * 1024)]);
          sent.set(name, body);
          const client = connect(port, "127.0.0.1", () => {
            for (let at = 0; at < body.length; ) {
              const size = 1 + Math.floor(Math.random() * 20_000);
              client.write(body.subarray(at, at + size));
              at += size;
            }
            client.end();
          });
          let reply = "";
          client.on("data", (d: Buffer) => {
            reply += d.toString();
          });
          client.on("close", () => resolve(reply));
          client.on("error", reject);
        }),
    ),
  );

  assert.deepEqual(replies, ["bye", "bye", "bye", "bye"]);
  assert.deepEqual([...ended].sort(), ["a", "b", "c", "d"]);
  for (const [name, body] of sent) {
    assert.ok(Buffer.concat(received.get(name) ?? []).equals(body), `client ${name}'s bytes`);
  }
  // The server's connection count followed the re-created sockets: it drains and closes.
  const open = await new Promise<number>((resolve, reject) =>
    server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
  );
  assert.equal(open, 0);
  await new Promise<void>((resolve, reject) =>
    server.close((err) => (err ? reject(err) : resolve())),
  );
});
