import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { RtmpTestClient } from "../helpers/rtmp-test-client.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

/**
 * The third-party publish hook (like SRS on_publish): a real HTTP server on loopback decides.
 * 200 allows; any other status, no answer within the timeout, or no server refuses the publish
 * with NetStream.Publish.Unauthorized — Tencent errcode 19, which OnAir reports in the refusal's
 * description and log line (a refused publish never started, so it has no interruption).
 */
describe("RTMP ingest: third-party publish hook", () => {
  let h: IngestHarness;
  let hook: Server;
  const asked: Record<string, unknown>[] = [];
  before(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        const event = JSON.parse(body) as Record<string, unknown>;
        asked.push(event);
        if (event.stream === "slow") return; // never answers
        res.writeHead(event.stream === "allowed" ? 200 : 403).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    h = await startIngestHarness({
      publishHookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/on_publish`,
      publishHookTimeoutMs: 500,
      pushEventWaitMs: 0,
    });
  });
  after(async () => {
    await h.stop();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  const publish = async (stream: string) => {
    const client = await RtmpTestClient.connect(h.onair.rtmpPort as number);
    return { client, ...(await client.publish({ stream: `${stream}?token=t1` })) };
  };

  test("200 allows the publish; the hook is told who publishes what", async () => {
    const { client, code } = await publish("allowed");
    assert.equal(code, "NetStream.Publish.Start");
    await h.events("allowed", 1);
    const seen = asked.find((a) => a.stream === "allowed");
    assert.equal(seen?.app, "live");
    assert.equal(seen?.param, "token=t1");
    assert.equal(seen?.client_ip, "127.0.0.1");
    client.end();
  });

  for (const stream of ["denied", "slow"]) {
    test(`${stream === "slow" ? "no answer within the timeout" : "a 403"} refuses it: no push`, async () => {
      const { client, code } = await publish(stream);
      assert.equal(code, "NetStream.Publish.Unauthorized");
      await client.closed;
      await assert.rejects(h.events(stream, 1, 1, 300), /waited/);
    });
  }
});
