import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import type { OnAir } from "../../src/app.js";
import { endpointClient, SECRET_ID, SECRET_KEY } from "../api/helpers/api-server.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

const MIB = 1024 * 1024;
const BUDGET = 4 * MIB;
const FREE_PER_REQUEST = 16 * 1024;
const FLOOD = 200;

/** One stalled 1 MiB POST: headers, a few body bytes, then silence. Resolves when closed. */
function stalledPost(
  port: number,
  localAddress: string,
  headers: Record<string, string>,
): { socket: Socket; replied: Promise<string>; closed: Promise<void> } {
  const socket = connect({ port, host: "127.0.0.1", localAddress });
  const head = Object.entries({ ...headers, host: `127.0.0.1:${port}`, "content-length": MIB })
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n");
  socket.write(`POST / HTTP/1.1\r\n${head}\r\n\r\n`);
  socket.write(Buffer.alloc(1000, 0x20));
  let received = "";
  const replied = new Promise<string>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      resolve(received.split("\r\n")[0] ?? "");
    });
    socket.on("close", () => resolve(""));
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("error", () => {});
  return { socket, replied, closed };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} is exported`);
  return Number(line.split(" ")[1]);
}

describe("stalled unauthenticated bodies (issue 11, defect 5)", () => {
  let node: TestOnAir;
  let onair: OnAir;

  before(async () => {
    node = await startTestOnAir({
      flags: {
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        http: { bodyTimeoutMs: 3000, maxUnauthenticatedBodyBytes: BUDGET },
      },
    });
    onair = node.onair;
  });
  after(() => node.stop());

  test("200 stalled 1 MiB POST / stay within the budget, are closed, and the SDK still gets through", {
    timeout: 60_000,
  }, async () => {
    const port = onair.httpPort;
    const api = { "content-type": "application/json", "x-tc-version": "2018-08-01" };
    const timestamp = Math.floor(Date.now() / 1000);
    const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
    // Half without Authorization (refused on the headers), half with a well-formed signature
    // that cannot be checked until the body is in: these are the ones that cost memory.
    const unsigned = Array.from({ length: FLOOD / 2 }, () =>
      stalledPost(port, "127.0.0.2", { ...api, "x-tc-action": "DescribeLiveDomains" }),
    );
    const forged = Array.from({ length: FLOOD / 2 }, () =>
      stalledPost(port, "127.0.0.3", {
        ...api,
        "x-tc-action": "DeleteLiveDomain",
        "x-tc-timestamp": String(timestamp),
        authorization: `TC3-HMAC-SHA256 Credential=${SECRET_ID}/${date}/live/tc3_request, SignedHeaders=content-type;host, Signature=${"0".repeat(64)}`,
      }),
    );

    // Requests refused on their headers are answered before their body is read.
    const unsignedReplies = await Promise.all(unsigned.map((c) => c.replied));
    assert.ok(unsignedReplies.every((l) => l === "HTTP/1.1 200 OK" || l === ""));
    // Forged ones: a few fit the budget and wait for their body; the rest get 503 at once.
    const waiting = BUDGET / (MIB - FREE_PER_REQUEST);
    const refusedForged = forged.length - Math.floor(waiting);
    let answered = 0;
    for (const c of forged) void c.replied.then(() => answered++);
    await waitFor(`${refusedForged} forged requests answered`, () => answered >= refusedForged, {
      timeoutMs: 30_000,
    });

    const buffered = await metric(port, "onair_http_unauthenticated_body_bytes");
    assert.ok(buffered > 0, "the waiting forged bodies are counted");
    assert.ok(
      buffered <= BUDGET + FLOOD * FREE_PER_REQUEST,
      `${buffered} bytes buffered, bounded by the budget`,
    );
    assert.ok((await metric(port, "onair_http_unauthenticated_body_refusals")) >= refusedForged);

    // A legitimate SDK call succeeds during the flood (small bodies use the free allowance).
    const domains = await endpointClient(port).DescribeLiveDomains({});
    assert.deepEqual(domains.DomainList, []);

    // Every stalled socket is closed by the server after the body timeout (3 s here),
    // long before requestTimeout (60 s).
    await Promise.all([...unsigned, ...forged].map((c) => c.closed));
    assert.equal(await metric(port, "onair_http_unauthenticated_body_bytes"), 0);
  });
});
