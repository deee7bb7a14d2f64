import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { signPushUrl } from "@onair/callbacks";
import { readErrorBody } from "../helpers/error-body.js";
import {
  type IngestHarness,
  startIngestHarness,
  TEST_DOMAIN,
  TEST_HOOK_TOKEN,
  TEST_SECRET_KEY,
} from "./ingest-harness.js";

const AUTH_DOMAIN = "video.test.com";
const AUTH_KEY = "e12c46f2612d5106e2034781ab261ca3";

/**
 * The SRS and MediaMTX adapters fed the request bodies those servers document.
 *
 * SRS bodies: the "Protocol" section and the http_hooks comments of SRS's "HTTP Callback" page
 * (https://ossrs.io/lts/en-us/docs/v5/doc/http-callback, from the ossrs/srs-docs repository),
 * and ossrs/srs trunk/src/app/srs_app_http_hooks.cpp, whose older versions send `client_id` as a
 * number and on_dvr with `cwd` and `file`. MediaMTX: the runOnReady / runOnNotReady /
 * runOnRecordSegmentComplete variables and the authHTTPAddress body documented in
 * bluenviron/mediamtx mediamtx.yml; MediaMTX sets MTX_SEGMENT_DURATION in seconds
 * (`strconv.FormatFloat(d.Seconds(), 'f', -1, 64)`). They are sent the way the curl lines of
 * docs/hooks.md send them.
 */
describe("SRS and MediaMTX hooks with their documented bodies", () => {
  let h: IngestHarness;
  let dir: string;
  let flv: string;
  const hook = (path: string, body: string, type: string, token = TEST_HOOK_TOKEN) =>
    fetch(`http://127.0.0.1:${h.onair.httpPort}${path}${token ? `?token=${token}` : ""}`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
  const srs = (body: Record<string, unknown>) =>
    hook("/hooks/srs", JSON.stringify(body), "application/json");
  const mtx = (fields: Record<string, string>) =>
    hook(
      "/hooks/mediamtx",
      new URLSearchParams(fields).toString(),
      "application/x-www-form-urlencoded",
    );

  before(async () => {
    // The harness template already sends RecordNotifyUrl to the receiver.
    h = await startIngestHarness();
    await h.addPushAuthDomain(AUTH_DOMAIN, AUTH_KEY);
    dir = mkdtempSync(join(tmpdir(), "onair-hooks-rec-"));
    flv = join(dir, "livestream.1420254068776.flv");
    execFileSync("ffmpeg", [
      ...[
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10",
      ],
      ...["-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-f", "flv", flv],
    ]);
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("hooks need the hook token as ?token= or a Bearer token", async () => {
    const none = await hook("/hooks/srs", "{}", "application/json", "");
    assert.equal(none.status, 401);
    const wrong = await hook("/hooks/srs", "{}", "application/json", "nope");
    assert.equal(wrong.status, 401);
    // The management SecretKey is not a hook token: a leaked media-server config holds no API key.
    const secretKey = await hook("/hooks/srs", "{}", "application/json", TEST_SECRET_KEY);
    assert.equal(secretKey.status, 401);
    const bearer = await fetch(`http://127.0.0.1:${h.onair.httpPort}/hooks/srs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_HOOK_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ action: "on_play", app: "live", stream: "x" }),
    });
    assert.equal(bearer.status, 200);
    assert.deepEqual(await bearer.json(), { code: 0 });
  });

  test("bad input is a 400 with a message", async () => {
    const notJson = await hook("/hooks/srs", "{oops", "application/json");
    assert.equal(notJson.status, 400);
    assert.match((await readErrorBody(notJson)).message, /JSON/);
    const noStream = await srs({ action: "on_publish", app: "live" });
    assert.equal(noStream.status, 400);
    assert.match((await readErrorBody(noStream)).message, /stream is required/);
    const unknown = await mtx({ action: "bogus", path: "live/x" });
    assert.equal(unknown.status, 400);
  });

  test("SRS on_publish / on_unpublish (docs' Protocol body): push and interruption, one sequence", async () => {
    // The body of the "Protocol" section, with a stream name of this test.
    const publish = {
      server_id: "vid-0xk989d",
      action: "on_publish",
      client_id: "341w361a",
      ip: "127.0.0.1",
      vhost: "__defaultVhost__",
      app: "live",
      tcUrl: "rtmp://127.0.0.1:1935/live?vhost=__defaultVhost__",
      stream: "srsdoc",
      param: "",
      stream_url: "video.test.com/live/livestream",
      stream_id: "vid-124q9y3",
    };
    const accepted = await srs(publish);
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { code: 0 });
    const [push] = await h.events("srsdoc", 1);
    assert.equal(push?.app, TEST_DOMAIN, "default vhost and an IP tcUrl: the default domain");
    assert.equal(push?.user_ip, "127.0.0.1");
    assert.equal(push?.stream_param, "", "the tcUrl's ?vhost= is not the stream_param");
    // on_unpublish as the http_hooks comment shows it: no tcUrl.
    const { tcUrl: _t, ...unpublish } = { ...publish, action: "on_unpublish" };
    const done = await srs(unpublish);
    assert.equal(done.status, 200);
    const [end] = await h.events("srsdoc", 0);
    assert.equal(end?.sequence, push?.sequence);
    assert.equal(end?.errcode, 1);
  });

  test("SRS on_publish refused by push auth answers a non-zero code; a signed one is allowed", async () => {
    // The http_hooks comment's body: vhost video.test.com, param ?token=xxx&salt=yyy.
    const body = {
      action: "on_publish",
      client_id: "9308h583",
      ip: "192.168.1.10",
      vhost: "video.test.com",
      app: "live",
      stream: "livestream",
      param: "?token=xxx&salt=yyy",
      server_id: "vid-werty",
      stream_url: "video.test.com/live/livestream",
      stream_id: "vid-124q9y3",
    };
    const refused = await srs(body);
    assert.equal(refused.status, 200, "SRS reads the code from a 200");
    const verdict = (await refused.json()) as { code: number; sub_errcode: number };
    assert.equal(verdict.code, 18);
    assert.equal(verdict.sub_errcode, 500, "no txTime");
    const { txTime, txSecret } = signPushUrl({
      key: AUTH_KEY,
      streamName: "livestream",
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    const signed = await srs({ ...body, param: `?txSecret=${txSecret}&txTime=${txTime}` });
    assert.deepEqual(await signed.json(), { code: 0 });
    const [push] = await h.events("livestream", 1);
    assert.equal(push?.app, AUTH_DOMAIN, "the vhost is the push domain");
    assert.equal(push?.user_ip, "192.168.1.10");
    assert.equal(push?.stream_param, `txSecret=${txSecret}&txTime=${txTime}`);
    const refusedPushes = h.receiver.received.filter(
      (r) => r.event?.stream_id === "livestream" && r.event?.event_type === 1,
    );
    assert.equal(refusedPushes.length, 1, "the refused publish sent no push");
  });

  test("SRS on_dvr (old SRS: numeric client_id; file relative to cwd) → event 100", async () => {
    const body = {
      action: "on_dvr",
      client_id: 1985,
      ip: "192.168.1.10",
      vhost: "video.test.com",
      app: "live",
      stream: "livestream",
      param: "",
      cwd: dir,
      file: "./livestream.1420254068776.flv",
    };
    const res = await srs(body);
    assert.equal(res.status, 200);
    const [record] = await h.events("livestream", 100);
    assert.equal(record?.app, AUTH_DOMAIN);
    assert.equal(record?.file_format, "flv");
    assert.equal(record?.duration, 2, "ffprobe's duration of the 2 s file");
    assert.ok(Number(record?.file_size) > 1024);
    assert.equal(record?.video_url, `file://${flv}`);
  });

  test("MediaMTX ready / not_ready / segment_complete (curl form fields) → 1, 0, 100", async () => {
    const ready = await mtx({
      action: "ready",
      path: "live/cam1",
      query: "room=abc",
      source_type: "rtmpConn",
      source_id: "f2ab6c1e",
    });
    assert.equal(ready.status, 200);
    const [push] = await h.events("cam1", 1);
    assert.equal(push?.app, TEST_DOMAIN);
    assert.equal(push?.appname, "live");
    assert.equal(push?.stream_param, "room=abc");
    const segment = await mtx({
      action: "segment_complete",
      path: "live/cam1",
      segment_path: "livestream.1420254068776.flv",
      segment_duration: "2.04",
      cwd: dir,
    });
    assert.equal(segment.status, 200);
    const [record] = await h.events("cam1", 100);
    assert.equal(record?.duration, 2);
    assert.equal(record?.task_id, push?.sequence);
    const gone = await mtx({
      action: "not_ready",
      path: "live/cam1",
      query: "room=abc",
      source_type: "rtmpConn",
      source_id: "f2ab6c1e",
    });
    assert.equal(gone.status, 200);
    const [end] = await h.events("cam1", 0);
    assert.equal(end?.sequence, push?.sequence);
    assert.equal(end?.errcode, 1);
  });

  test("MediaMTX authHTTPAddress body: publish decided by push auth, reads allowed", async () => {
    const auth = (body: Record<string, string>) =>
      hook("/hooks/mediamtx/auth", JSON.stringify(body), "application/json");
    const base = {
      user: "",
      password: "",
      token: "",
      ip: "10.0.0.7",
      action: "publish",
      path: "live/mtxcam",
      protocol: "rtmp",
      id: "",
      query: `domain=${AUTH_DOMAIN}`,
    };
    assert.equal((await auth(base)).status, 403);
    const { txTime, txSecret } = signPushUrl({
      key: AUTH_KEY,
      streamName: "mtxcam",
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    const query = `domain=${AUTH_DOMAIN}&txSecret=${txSecret}&txTime=${txTime}`;
    assert.equal((await auth({ ...base, query })).status, 200);
    assert.equal((await auth({ ...base, action: "read" })).status, 200);
    const api = await auth({ ...base, action: "api" });
    assert.equal(api.status, 403);
    assert.equal((await readErrorBody(api)).code, "ONAIR_ERR_HOOK_ACTION_REFUSED");
    await mtx({ action: "ready", path: "live/mtxcam", query, source_type: "rtmpConn" });
    const [push] = await h.events("mtxcam", 1);
    assert.equal(push?.app, AUTH_DOMAIN);
    assert.equal(push?.user_ip, "10.0.0.7", "the address from the auth hook");
  });
});
