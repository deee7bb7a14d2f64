import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { formatUtcTime } from "../../src/api/tencent-time.js";
import { type FfmpegPublisher, publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type FfmpegViewer, watchWithFfmpeg } from "../helpers/live-player.js";
import { dropSchemas, schemaUrl, uniqueSchema } from "../helpers/test-database.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/** A metric's value on a node's /metrics, 0 when the series is absent. */
async function metric(t: TestOnAir, series: string): Promise<number> {
  const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Viewer statistics across nodes (docs/playback.md, "Viewer statistics"): two OnAir nodes on one
 * PostgreSQL schema, each writing its viewers' samples every second (`playback.statsIntervalMs`
 * 1000 instead of a minute); ffmpeg publishes to A, ffmpeg viewers watch on A (RTMP and HTTP-FLV)
 * and on B (HTTP-FLV, through B's internal pull). Both nodes' play-info actions, called with
 * tencentcloud-sdk-nodejs, answer for all three viewers.
 */
describe("viewer statistics on two nodes sharing PostgreSQL", { timeout: 60_000 }, () => {
  const schema = uniqueSchema("onair_pstats");
  let a: TestOnAir;
  let b: TestOnAir;
  let publisher: FfmpegPublisher;
  const node = (nodeId: string) =>
    startTestOnAir({
      rtmp: true,
      flags: {
        databaseUrl: schemaUrl(schema),
        nodeId,
        playback: { statsIntervalMs: 1000 },
        ingest: { nodeHeartbeatMs: 200, nodeStaleMs: 1500, commandPollMs: 100 },
        cluster: { pullLingerMs: 500 },
      },
    });

  before(async () => {
    a = await node("stats-a");
    b = await node("stats-b");
    publisher = publishWithFfmpeg(a.rtmpUrl("live/cam"), { videoKbps: 800 });
    await waitFor(
      "cam live",
      async () => (await b.onair.store.streams.list({ streamName: "cam" })).length === 1,
    );
  });
  after(async () => {
    publisher?.child.kill("SIGKILL");
    await publisher?.exited;
    await b?.stop();
    await a?.stop();
    await dropSchemas(schema);
  });

  test("three viewers on two nodes: either node's DescribeLiveDomainPlayInfoList, DescribeAllStreamPlayInfoList and DescribeStreamPlayInfoList count all three", async () => {
    const viewers: FfmpegViewer[] = [
      watchWithFfmpeg(a.rtmpUrl("live/cam")),
      watchWithFfmpeg(`${a.httpUrl}/live/cam.flv`),
      watchWithFfmpeg(`${b.httpUrl}/live/cam.flv`),
    ];
    const onNode = (t: TestOnAir) => metric(t, 'onair_play_stream_viewers{stream="live/cam"}');
    try {
      await waitFor("two viewers on A, one on B", async () => {
        return (await onNode(a)) === 2 && (await onNode(b)) === 1;
      });
      for (const t of [a, b]) {
        const realtime = await waitFor(`${t === a ? "A" : "B"}: TotalOnline 3`, async () => {
          const r = await t.sdk.DescribeLiveDomainPlayInfoList({ PlayDomains: ["127.0.0.1"] });
          return r.TotalOnline === 3 && (r.TotalFlux ?? 0) > 0 ? r : null;
        });
        assert.match(realtime.Time ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
        assert.equal(realtime.TotalRequest, 3, "three play requests in the last minute");
        assert.ok((realtime.TotalBandwidth ?? 0) > 0);
        const [domain] = realtime.DomainInfoList ?? [];
        assert.equal(domain?.Domain, "127.0.0.1");
        const mainland = domain?.DetailInfoList?.find((d) => d.MainlandOrOversea === "Mainland");
        assert.equal(mainland?.Online, 3);
        assert.equal(mainland?.Flux, realtime.TotalFlux);

        // The current minute, per stream and protocol: A's RTMP viewer, A's and B's FLV ones.
        const minute = await waitFor("the minute's rows", async () => {
          const r = await t.sdk.DescribeAllStreamPlayInfoList({
            QueryTime: formatUtcTime(new Date()),
          });
          const rows = (r.DataInfoList ?? []).filter((row) => row.StreamName === "cam");
          const online = (protocol: string) =>
            rows.find((row) => row.Protocol === protocol)?.Online ?? 0;
          return online("Flv") === 2 && online("Rtmp") === 1 ? rows : null;
        });
        assert.ok(minute.every((row) => row.PlayDomain === "127.0.0.1" && row.Rate === 0));

        const now = Date.now();
        const minutes = await waitFor("the per-minute figures", async () => {
          const { DataInfoList: list = [] } = await t.sdk.DescribeStreamPlayInfoList({
            StartTime: formatUtcTime(new Date(now - 60_000)),
            EndTime: formatUtcTime(new Date(now)),
            StreamName: "cam",
          });
          return list.at(-1)?.Online === 3 ? list : null;
        });
        assert.equal(minutes.length, 2, "the last minute and this one");
        const requests = minutes.reduce((sum, m) => sum + (m.Request ?? 0), 0);
        assert.equal(requests, 3);
        assert.ok(minutes.some((m) => (m.Flux ?? 0) > 0 && (m.Bandwidth ?? 0) > 0));
      }
    } finally {
      for (const viewer of viewers) viewer.child.kill("SIGKILL");
    }
    // Gone from both nodes: each node's latest sample says so, whichever node is asked.
    for (const t of [b, a]) {
      await waitFor("TotalOnline back to 0", async () => {
        const r = await t.sdk.DescribeLiveDomainPlayInfoList({});
        return r.TotalOnline === 0;
      });
    }
  });
});
