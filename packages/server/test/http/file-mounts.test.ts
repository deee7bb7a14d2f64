import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { pino } from "pino";
import { encodeFilesPath, mountedPath } from "../../src/http/file-mounts.js";
import { createFileRoute } from "../../src/http/file-route.js";
import { createHttpServer } from "../../src/http/router.js";
import { type FileAccess, fileUrlQuery } from "../../src/http/signed-file-url.js";

const mounts = [
  { dir: "/data/files", prefix: "" },
  { dir: "/var/rec", prefix: "hooks/0/" },
];

test("a file in a mount gets its /files/ path; one outside every mount gets null", () => {
  assert.equal(mountedPath(mounts, "/data/files/record/a.flv"), "record/a.flv");
  assert.equal(mountedPath(mounts, "/var/rec/live/cam-1.flv"), "hooks/0/live/cam-1.flv");
  assert.equal(mountedPath(mounts, "/var/rec/../etc/passwd.flv"), null);
  assert.equal(mountedPath(mounts, "/var/record/x.flv"), null, "a sibling with the same prefix");
  assert.equal(mountedPath(mounts, "/var/rec"), null, "the folder itself");
  assert.equal(mountedPath(mounts, "rec/x.flv"), null, "relative paths are not guessed");
  assert.equal(encodeFilesPath("hooks/0/a b#?.flv"), "hooks/0/a%20b%23%3F.flv");
});

test("whatever the path, a mounted one names a file inside its mount", () => {
  const segment = fc.constantFrom("..", ".", "rec", "var", "a b", "x.flv", "", "%2e%2e");
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
      const path = `/${segments.join("/")}`;
      const served = mountedPath(mounts, path);
      if (served === null) return;
      const mount = served.startsWith("hooks/0/") ? mounts[1] : mounts[0];
      const rel = served.slice(mount?.prefix.length);
      const file = resolve(mount?.dir ?? "/", rel);
      assert.equal(file, resolve(path));
      assert.ok(file.startsWith(`${mount?.dir}/`), `${path} → ${served}`);
    }),
    { numRuns: 2000 },
  );
});

test("a mounted folder is served under its prefix, and its signatures open only it", async () => {
  const files = mkdtempSync(join(tmpdir(), "onair-mount-files-"));
  const rec = mkdtempSync(join(tmpdir(), "onair-mount-rec-"));
  writeFileSync(join(files, "a.flv"), "FILES");
  writeFileSync(join(rec, "a.flv"), "HOOKED");
  const access: FileAccess = {
    public: false,
    key: "test-files-signing-key-0123456789",
    ttlSeconds: 3600,
    now: () => Date.now(),
  };
  const server = createHttpServer({
    logger: pino({ level: "silent" }),
    routes: [
      {
        method: "GET",
        path: "/files/hooks/0/",
        handler: createFileRoute({
          root: rec,
          prefix: "/files/hooks/0/",
          signedPrefix: "hooks/0/",
          access,
        }),
      },
      {
        method: "GET",
        path: "/files/",
        handler: createFileRoute({ root: files, prefix: "/files/", access }),
      },
    ],
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`;
  try {
    const hooked = mountedPath(
      [
        { dir: files, prefix: "" },
        { dir: rec, prefix: "hooks/0/" },
      ],
      join(rec, "a.flv"),
    );
    assert.equal(hooked, "hooks/0/a.flv");
    const res = await fetch(`${base}hooks/0/a.flv${fileUrlQuery(access, "hooks/0/a.flv")}`);
    assert.equal(await res.text(), "HOOKED");
    // The signature of /files/a.flv does not open the mount's a.flv, nor the other way round.
    const crossed = await fetch(`${base}hooks/0/a.flv${fileUrlQuery(access, "a.flv")}`);
    assert.equal(crossed.status, 403);
    await crossed.arrayBuffer();
    const back = await fetch(`${base}a.flv${fileUrlQuery(access, "hooks/0/a.flv")}`);
    assert.equal(back.status, 403);
    await back.arrayBuffer();
    assert.equal(
      await (await fetch(`${base}a.flv${fileUrlQuery(access, "a.flv")}`)).text(),
      "FILES",
    );
  } finally {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    rmSync(files, { recursive: true, force: true });
    rmSync(rec, { recursive: true, force: true });
  }
});
