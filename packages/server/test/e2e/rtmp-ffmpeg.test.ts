import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { type IngestHarness, startIngestHarness, TEST_DOMAIN } from "./ingest-harness.js";

/**
 * Real ffmpeg (Debian 5.1) publishing to the embedded RTMP ingest; a receiver process verifies
 * every callback. What ffmpeg sends on each way of ending was checked on the wire (docs/ingest.md
 * has the errcode table): a normal end sends FCUnpublish + deleteStream
 * (errcode 1); SIGKILL makes the kernel close the socket with a FIN (errcode 3, not 4); SIGSTOP
 * leaves the connection open and silent (errcode 8 after the idle timeout, 2 s here).
 */
describe("RTMP ingest with real ffmpeg", () => {
  let h: IngestHarness;
  before(async () => {
    h = await startIngestHarness();
  });
  after(async () => {
    await h.stop();
  });

  test("a normal end: push with the picture size and stream_param, then interruption errcode 1", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/normal?viewer=7&room=abc"), { seconds: 3 });
    const [push] = await h.events("normal", 1);
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, exit.stderr);
    const [end] = await h.events("normal", 0);
    assert.ok(push && end);
    assert.equal(push.app, TEST_DOMAIN);
    assert.equal(push.appname, "live");
    assert.equal(push.width, 640);
    assert.equal(push.height, 360);
    assert.equal(push.stream_param, "viewer=7&room=abc");
    assert.equal(push.user_ip, "127.0.0.1");
    assert.equal(push.errcode, 0);
    assert.match(String(push.sequence), /^\d{19}$/);
    assert.equal(end.sequence, push.sequence, "a push and its interruption share the sequence");
    assert.equal(end.errcode, 1);
    const duration = Number(end.push_duration);
    assert.ok(
      duration >= 2500 && duration < 8000,
      `push_duration ${duration} ms for a 3 s publish`,
    );
  });

  test("ffmpeg killed with SIGKILL: the kernel's FIN is errcode 3", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/killed"));
    await h.events("killed", 1);
    ffmpeg.child.kill("SIGKILL");
    await ffmpeg.exited;
    const [end] = await h.events("killed", 0);
    assert.equal(end?.errcode, 3);
  });

  test("a publisher that goes silent (SIGSTOP) is cut after the idle timeout: errcode 8", async () => {
    const ffmpeg = publishWithFfmpeg(h.rtmpUrl("live/silent"));
    const [push] = await h.events("silent", 1);
    ffmpeg.child.kill("SIGSTOP");
    const stoppedAt = Date.now();
    try {
      const [end] = await h.events("silent", 0);
      assert.equal(end?.errcode, 8);
      assert.equal(end?.sequence, push?.sequence);
      assert.ok(Date.now() - stoppedAt >= 1500, "not before the 2 s idle timeout");
    } finally {
      ffmpeg.child.kill("SIGKILL");
      await ffmpeg.exited;
    }
  });
});
