import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { quietPeriod } from "../helpers/wait-for.js";
import { type HookedNginx, startHookedNginx } from "./hooks-nginx.js";
import {
  type IngestHarness,
  startIngestHarness,
  TEST_DOMAIN,
  TEST_HOOK_TOKEN,
} from "./ingest-harness.js";

const SECURE_DOMAIN = "secure.onair.test";
const AUTH_KEY = "e12c46f2612d5106e2034781ab261ca3";

/**
 * A real nginx-rtmp (Debian libnginx-mod-rtmp) with on_publish, on_publish_done and
 * on_record_done pointed at OnAir's /hooks/nginx-rtmp, and a real ffmpeg publishing to nginx:
 * the receiver gets push, interruption and recording callbacks through OnAir, and a publish that
 * fails push auth is refused by nginx because OnAir answered on_publish with 403.
 */
describe("nginx-rtmp hooks, end to end", () => {
  let h: IngestHarness;
  let nginx: HookedNginx;
  let recordDir = "";
  before(async () => {
    // nginx records into a folder OnAir serves (hooks.recordingDirs), so video_url is http.
    recordDir = mkdtempSync(join(tmpdir(), "onair-hooks-rec-"));
    chmodSync(recordDir, 0o777); // nginx's worker writes here under its own user
    // The harness template already sends RecordNotifyUrl to the receiver.
    h = await startIngestHarness({}, { hooks: { recordingDirs: [recordDir] } });
    await h.addPushAuthDomain(SECURE_DOMAIN, AUTH_KEY);
    nginx = await startHookedNginx({
      hookUrl: `http://127.0.0.1:${h.onair.httpPort}/hooks/nginx-rtmp?token=${TEST_HOOK_TOKEN}`,
      recordDir,
    });
  });
  after(async () => {
    await nginx?.stop();
    await h?.stop();
    if (recordDir) rmSync(recordDir, { recursive: true, force: true });
  });

  test("push, interruption (errcode 1, same sequence) and recordings of a 4 s publish", async () => {
    const ffmpeg = publishWithFfmpeg(nginx.rtmpUrl("live/ngx?viewer=7&room=abc"), { seconds: 4 });
    const [push] = await h.events("ngx", 1);
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, `${exit.stderr}\n${nginx.log()}`);
    const [end] = await h.events("ngx", 0);
    assert.ok(push && end);
    assert.equal(push.app, TEST_DOMAIN, "tcUrl is an IP: the default domain");
    assert.equal(push.appname, "live");
    assert.equal(push.stream_param, "viewer=7&room=abc");
    assert.equal(push.user_ip, "127.0.0.1");
    assert.equal(push.node, "127.0.0.1");
    assert.match(String(push.sequence), /^\d{19}$/);
    assert.equal(end.sequence, push.sequence);
    assert.equal(end.errcode, 1);
    const duration = Number(end.push_duration);
    assert.ok(duration >= 3000 && duration < 10_000, `push_duration ${duration} ms for 4 s`);

    // record_interval 2s: at least one full segment; the stub nginx leaves at stop is filtered.
    const [record] = await h.events("ngx", 100, 1, 20_000);
    assert.ok(record);
    assert.equal(record.file_format, "flv");
    assert.equal(record.task_id, push.sequence, "the recording names its publish");
    assert.ok(Number(record.file_size) >= 1024, `file_size ${record.file_size}`);
    assert.ok(Number(record.duration) >= 1, `duration ${record.duration} s (ffprobe)`);
    // Served by OnAir's signed file route like a native recording (issue 13), not a file:// path.
    const videoUrl = String(record.video_url);
    assert.match(
      videoUrl,
      /^http:\/\/127\.0\.0\.1:\d+\/files\/hooks\/0\/.*\.flv\?expires=\d+&sig=/,
    );
    const served = await fetch(videoUrl);
    assert.equal(served.status, 200);
    assert.equal((await served.arrayBuffer()).byteLength, Number(record.file_size));
    const unsigned = await fetch(videoUrl.split("?")[0] ?? "");
    assert.equal(unsigned.status, 403, "the URL's signature is what opens it");
    await unsigned.arrayBuffer();
    assert.equal(record.stream_param, "viewer=7&room=abc");
  });

  test("a publish with a valid txSecret to an auth-enabled domain goes through", async () => {
    const { txTime, txSecret } = signPushUrl({
      key: AUTH_KEY,
      streamName: "signed",
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    const url = nginx.rtmpUrl(
      `live/signed?domain=${SECURE_DOMAIN}&txSecret=${txSecret}&txTime=${txTime}`,
    );
    const ffmpeg = publishWithFfmpeg(url, { seconds: 2 });
    const [push] = await h.events("signed", 1);
    assert.equal(push?.app, SECURE_DOMAIN);
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, exit.stderr);
    await h.events("signed", 0);
  });

  test("on_publish refused by push auth: ffmpeg fails and no push arrives", async () => {
    const expired = signPushUrl({
      key: AUTH_KEY,
      streamName: "denied",
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });
    const url = nginx.rtmpUrl(
      `live/denied?domain=${SECURE_DOMAIN}&txSecret=${expired.txSecret}&txTime=${expired.txTime}`,
    );
    const ffmpeg = publishWithFfmpeg(url, { seconds: 3 });
    const timer = setTimeout(() => ffmpeg.child.kill("SIGKILL"), 10_000);
    const exit = await ffmpeg.exited;
    clearTimeout(timer);
    assert.notEqual(exit.code, 0, "nginx drops the publisher after OnAir's 403");
    // Give a wrongly admitted push time to be delivered before asserting there is none.
    await quietPeriod(1000);
    const pushes = h.receiver.received.filter((r) => r.event?.stream_id === "denied");
    assert.deepEqual(pushes, []);
  });
});
