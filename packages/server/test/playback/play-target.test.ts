import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { rtmpPlayRequest } from "../../src/ingest/session/rtmp-player.js";
import {
  hostWithoutPort,
  parseFlvPath,
  resolvePlayTarget,
} from "../../src/playback/play-target.js";

const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~-";
const name = fc
  .string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 40 })
  .filter((s) => !/^\.+$/.test(s));
const anyText = fc.string({ unit: "grapheme", maxLength: 80 });

describe("play URL parsing", () => {
  test("HTTP-FLV paths: /App/Stream.flv round-trips, percent-encoded or not", () => {
    fc.assert(
      fc.property(name, name, (app, stream) => {
        assert.deepEqual(parseFlvPath(`/${app}/${encodeURIComponent(stream)}.flv`), {
          appName: app,
          streamName: stream,
        });
      }),
      { numRuns: 500 },
    );
  });

  test("any path: parseFlvPath never throws, and a result came from two segments and .flv", () => {
    fc.assert(
      fc.property(anyText, (path) => {
        const parsed = parseFlvPath(path);
        if (parsed) assert.match(path, /^\/[^/]+\/[^/]+\.flv$/);
      }),
      { numRuns: 2000 },
    );
    assert.equal(parseFlvPath("/live/x.flv/more"), null);
    assert.equal(parseFlvPath("/x.flv"), null);
    assert.equal(parseFlvPath("/live/%E0%A4%A.flv"), null, "bad percent-encoding");
  });

  test("any request: resolvePlayTarget never throws and only accepts Tencent's characters", () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, anyText, (host, appName, streamName, query) => {
        const target = resolvePlayTarget({ host, appName, streamName, query });
        if (target.ok) {
          assert.match(target.value.appName, /^[A-Za-z0-9_.~-]{1,128}$/);
          assert.match(target.value.streamName, /^[A-Za-z0-9_.~-]{1,256}$/);
          assert.match(target.value.domain, /^[a-z0-9.:-]{1,255}$/);
        } else {
          assert.ok(target.reason.length > 0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("the play domain: the host by name; domain= only when connecting by address", () => {
    const q = "domain=Play.Example.com&txTime=1";
    const at = (host: string) =>
      resolvePlayTarget({ host, appName: "live", streamName: "s", query: q });
    for (const host of ["127.0.0.1", "::1", "localhost", ""]) {
      const target = at(host);
      assert.ok(target.ok);
      assert.equal(target.value.domain, "play.example.com", host);
    }
    const byName = at("Watch.Example.com");
    assert.ok(byName.ok);
    assert.equal(byName.value.domain, "watch.example.com", "a named host ignores domain=");
  });

  test("RTMP: the query from the play name, else the tcUrl, else the app", () => {
    fc.assert(
      fc.property(name, name, fc.webQueryParameters(), (app, stream, query) => {
        const fromName = rtmpPlayRequest({
          app,
          tcUrl: `rtmp://play.example.com/${app}`,
          playName: `${stream}?${query}`,
          clientIp: "127.0.0.1",
        });
        assert.equal(fromName.streamName, stream);
        assert.equal(fromName.appName, app);
        assert.equal(fromName.host, "play.example.com");
        assert.equal(fromName.query, query);
      }),
      { numRuns: 300 },
    );
    const fromTcUrl = rtmpPlayRequest({
      app: "live",
      tcUrl: "rtmp://127.0.0.1:1935/live?domain=p.example.com",
      playName: "s",
      clientIp: "127.0.0.1",
    });
    assert.equal(fromTcUrl.query, "domain=p.example.com");
    const odd = rtmpPlayRequest({
      app: "live?x=1",
      tcUrl: "not a url",
      playName: "s",
      clientIp: "",
    });
    assert.deepEqual([odd.host, odd.appName, odd.query], ["", "live", "x=1"]);
  });

  test("Host headers: the host without its port", () => {
    assert.equal(hostWithoutPort("play.example.com:8080"), "play.example.com");
    assert.equal(hostWithoutPort("play.example.com"), "play.example.com");
    assert.equal(hostWithoutPort("[::1]:8080"), "::1");
    assert.equal(hostWithoutPort("[::1"), "");
    assert.equal(hostWithoutPort(undefined), "");
    fc.assert(
      fc.property(anyText, (header) => void hostWithoutPort(header)),
      { numRuns: 1000 },
    );
  });
});
