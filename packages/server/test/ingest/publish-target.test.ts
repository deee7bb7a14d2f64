import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { AmfValue } from "../../src/ingest/rtmp/amf0.js";
import { parsePublishTarget } from "../../src/ingest/session/publish-target.js";

const parse = (
  tcUrl: string,
  publishName: AmfValue,
  app = new URL(tcUrl.replace(/^rtmp/, "http")).pathname.slice(1),
  defaultDomain: string | null = "default.example",
) => parsePublishTarget({ app, tcUrl, publishName, defaultDomain });
const ok = (result: ReturnType<typeof parsePublishTarget>) => {
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.value;
};

describe("parsePublishTarget", () => {
  test("ffmpeg/OBS: domain from the tcUrl host, the query on the publish name", () => {
    assert.deepEqual(
      ok(parse("rtmp://Push.Example.com/live", "cam1?txSecret=ab&txTime=65A0B0C0")),
      {
        domain: "push.example.com",
        appName: "live",
        streamName: "cam1",
        streamParam: "txSecret=ab&txTime=65A0B0C0",
      },
    );
  });

  test("the query on the tcUrl, or on the app, when the name has none", () => {
    assert.equal(ok(parse("rtmp://push.example.com/live?k=1", "cam1", "live")).streamParam, "k=1");
    assert.equal(
      ok(parse("rtmp://push.example.com/live", "cam1", "live?k=2")).streamParam,
      "k=2",
      "the app's query",
    );
    assert.equal(
      ok(parse("rtmp://push.example.com/live?k=1", "cam1?k=3", "live?k=2")).streamParam,
      "k=3",
      "the publish name's query first",
    );
    assert.equal(ok(parse("rtmp://push.example.com/live", "cam1", "live?k=2")).appName, "live");
  });

  test("by IP or localhost: `domain=` names the push domain, else the default", () => {
    assert.equal(
      ok(parse("rtmp://127.0.0.1:1935/live", "s?domain=Cam.Example")).domain,
      "cam.example",
    );
    assert.equal(ok(parse("rtmp://127.0.0.1/live", "s")).domain, "default.example");
    assert.equal(ok(parse("rtmp://localhost/live", "s")).domain, "default.example");
    assert.equal(ok(parse("rtmp://[::1]:1935/live", "s")).domain, "default.example");
    assert.equal(ok(parse("rtmp://10.0.0.1/live", "s", "live", null)).domain, "10.0.0.1");
    assert.equal(ok(parse("rtmp://[::1]/live", "s", "live", null)).domain, "::1");
  });

  test("a named host ignores `domain=`: the tcUrl host is the domain", () => {
    assert.equal(
      ok(parse("rtmp://push.example.com/live", "s?domain=evil.example")).domain,
      "push.example.com",
    );
  });

  test("a missing or unparsable tcUrl falls back to `domain=` or the default", () => {
    const target = ok(
      parsePublishTarget({ app: "live", tcUrl: "", publishName: "s", defaultDomain: null }),
    );
    assert.equal(target.domain, "localhost");
    assert.equal(
      ok(
        parsePublishTarget({
          app: "live",
          tcUrl: "::::",
          publishName: "s?domain=d.example",
          defaultDomain: null,
        }),
      ).domain,
      "d.example",
    );
  });

  test("refused: no stream name, or not a string", () => {
    for (const name of ["", null, undefined, 42, { a: 1 }] as AmfValue[]) {
      const result = parse("rtmp://push.example.com/live", name);
      assert.equal(result.ok, false, JSON.stringify(name));
    }
  });

  test("refused: names made only of dots (they would be directories in file paths)", () => {
    for (const [app, name] of [
      ["live", "."],
      ["live", ".."],
      ["..", "s"],
    ]) {
      const result = parse("rtmp://push.example.com/x", name as string, app);
      assert.equal(result.ok, false, `${app}/${name}`);
      assert.match(result.ok ? "" : result.reason, /dots/);
    }
    assert.equal(parse("rtmp://127.0.0.1/live", "s?domain=..").ok, false);
  });

  test("refused: characters outside Tencent's StreamName and AppName sets", () => {
    for (const name of ["a/b", "a b", "a%2Fb", "名", "a\u0000b", "x".repeat(257)]) {
      assert.equal(parse("rtmp://push.example.com/live", name).ok, false, JSON.stringify(name));
    }
    assert.equal(parse("rtmp://push.example.com/x", "s", "a/b").ok, false);
    assert.equal(parse("rtmp://push.example.com/x", "s", "").ok, false, "empty AppName");
    assert.equal(parse("rtmp://127.0.0.1/live", "s?domain=a/b").ok, false, "bad domain=");
    assert.ok(ok(parse("rtmp://push.example.com/live", "x".repeat(256))));
    assert.ok(ok(parse("rtmp://push.example.com/live", "A-z_0.9~")));
  });

  test("property: any input parses or is refused, never throws; what passes is path-safe", () => {
    const text = fc.string({ maxLength: 300 });
    const anyAmf = fc.oneof(text, fc.constant(null), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(
        text,
        fc.oneof(text, fc.webUrl()),
        anyAmf,
        fc.option(text, { nil: null }),
        (app, tcUrl, publishName, defaultDomain) => {
          const result = parsePublishTarget({ app, tcUrl, publishName, defaultDomain });
          if (!result.ok) return typeof result.reason === "string" && result.reason.length > 0;
          const { domain, appName, streamName } = result.value;
          for (const part of [domain, appName, streamName]) {
            assert.ok(!part.includes("/") && !/^\.+$/.test(part) && part.length > 0, part);
          }
          assert.equal(domain, domain.toLowerCase());
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("property: a valid name and query round-trip through the publish name", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.~-]{1,64}$/).filter((s) => !/^\.+$/.test(s));
    const query = fc.stringMatching(/^[A-Za-z0-9=&_%-]{0,80}$/);
    fc.assert(
      fc.property(name, query, (streamName, streamParam) => {
        const publishName = streamParam ? `${streamName}?${streamParam}` : streamName;
        const target = ok(parse("rtmp://push.example.com/live", publishName));
        return target.streamName === streamName && target.streamParam === streamParam;
      }),
    );
  });
});
