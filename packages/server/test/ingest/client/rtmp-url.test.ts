import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRtmpUrl } from "../../../src/ingest/client/rtmp-url.js";

describe("parseRtmpUrl", () => {
  test("app is the first segment; the rest with the query is the stream name", () => {
    const r = parseRtmpUrl("rtmp://push.example.com/live/cam1?txSecret=ab&txTime=6A");
    assert.deepEqual(r, {
      ok: true,
      value: {
        secure: false,
        host: "push.example.com",
        port: 1935,
        app: "live",
        streamName: "cam1?txSecret=ab&txTime=6A",
        tcUrl: "rtmp://push.example.com/live",
      },
    });
  });

  test("rtmps defaults to 443; an explicit port and an IPv6 host are kept in tcUrl", () => {
    const tls = parseRtmpUrl("rtmps://live.example.com/app/s");
    assert.ok(tls.ok);
    assert.equal(tls.value.port, 443);
    assert.equal(tls.value.secure, true);
    const v6 = parseRtmpUrl("rtmp://[::1]:1936/live/a/b");
    assert.ok(v6.ok);
    assert.equal(v6.value.host, "::1");
    assert.equal(v6.value.port, 1936);
    assert.equal(v6.value.streamName, "a/b");
    assert.equal(v6.value.tcUrl, "rtmp://[::1]:1936/live");
  });

  test("refusals say what is wrong", () => {
    const reason = (url: string) => {
      const r = parseRtmpUrl(url);
      return r.ok ? "" : r.reason;
    };
    assert.match(reason("http://example.com/live/x"), /scheme http:/);
    assert.match(reason("rtmp://example.com/live"), /no stream name/);
    assert.match(reason("rtmp://example.com/"), /no application/);
    assert.match(reason("rtmp://u:p@example.com/live/x"), /user information/);
    assert.match(reason("not a url"), /not a URL/);
  });
});
