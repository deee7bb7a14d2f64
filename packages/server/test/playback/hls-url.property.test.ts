import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseHlsPath } from "../../src/playback/hls/hls-path.js";
import { readHlsToken, signHlsToken } from "../../src/playback/hls/hls-token.js";

const NAME = fc.stringMatching(/^[A-Za-z0-9_.~-]{1,40}$/);

test("HLS paths: each URL shape read back; any other string null or a shape, never a throw (fast-check)", () => {
  fc.assert(
    fc.property(
      NAME,
      NAME,
      fc.nat({ max: 2 ** 40 }),
      fc.nat({ max: 9999 }),
      (app, stream, msn, index) => {
        const names = { appName: app, streamName: stream };
        assert.deepEqual(parseHlsPath(`/${app}/${stream}.m3u8`), {
          kind: "multivariant",
          ...names,
        });
        assert.deepEqual(parseHlsPath(`/${app}/${stream}/index.m3u8`), { kind: "media", ...names });
        assert.deepEqual(parseHlsPath(`/${app}/${stream}/init-${msn}.mp4`), {
          kind: "init",
          ...names,
          version: msn,
        });
        assert.deepEqual(parseHlsPath(`/${app}/${stream}/seg-${msn}.m4s`), {
          kind: "segment",
          ...names,
          msn,
        });
        assert.deepEqual(parseHlsPath(`/${app}/${stream}/part-${msn}.${index}.m4s`), {
          kind: "part",
          ...names,
          msn,
          index,
        });
      },
    ),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (path) => {
      const parsed = parseHlsPath(path);
      if (parsed) assert.ok(path.startsWith("/"));
    }),
  );
  assert.equal(parseHlsPath("/live/%E0%A4%A.m3u8"), null);
  assert.equal(parseHlsPath("/live/x/seg-1.ts"), null);
  assert.equal(parseHlsPath("/a/b/c/index.m3u8"), null);
});

test("HLS tokens: the signed one reads back; any change, another stream or another secret does not (fast-check)", () => {
  fc.assert(
    fc.property(
      NAME,
      fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
      fc.domain(),
      fc.nat({ max: 2 ** 40 }),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (stream, session, domain, expiresSeconds, at, byte) => {
        const secret = "test-secret-0123456789";
        const claims = { session, domain, expiresAtMs: expiresSeconds * 1000 };
        const token = signHlsToken({ secret, stream, ...claims });
        assert.deepEqual(readHlsToken({ secret, stream, token }), { ok: true, claims });
        assert.equal(readHlsToken({ secret, stream: `${stream}x`, token }).ok, false);
        assert.equal(readHlsToken({ secret: `${secret}x`, stream, token }).ok, false);
        const i = at % token.length;
        const changed = token.slice(0, i) + String.fromCharCode(byte) + token.slice(i + 1);
        if (changed !== token)
          assert.equal(readHlsToken({ secret, stream, token: changed }).ok, false);
      },
    ),
    { numRuns: 300 },
  );
});
