import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { createFileRoute } from "../../src/http/file-route.js";
import { createHttpServer } from "../../src/http/router.js";
import { type FileAccess, fileUrlQuery, signFilePath } from "../../src/http/signed-file-url.js";
import { readErrorBody } from "../helpers/error-body.js";
import { waitFor } from "../helpers/wait-for.js";

/** `/files/` on a real server: byte ranges, and no file left open by clients that go away. */
const root = mkdtempSync(join(tmpdir(), "onair-files-"));
const server = createHttpServer({
  logger: pino({ level: "silent" }),
  routes: [
    {
      method: "GET",
      path: "/files/",
      handler: createFileRoute({ root, prefix: "/files/", access: { public: true } }),
    },
  ],
});
/** The same files behind signed URLs (the default, files.public false), on a clock the test sets. */
let nowMs = Date.UTC(2026, 0, 1);
const refused: { reason: string; path: string }[] = [];
const access: FileAccess = {
  public: false,
  key: "test-files-signing-key-0123456789",
  ttlSeconds: 3600,
  now: () => nowMs,
};
const signedServer = createHttpServer({
  logger: pino({ level: "silent" }),
  routes: ["GET", "HEAD"].map((method) => ({
    method: method as "GET" | "HEAD",
    path: "/files/",
    handler: createFileRoute({
      root,
      prefix: "/files/",
      access,
      onRefused: (fields) => refused.push(fields),
    }),
  })),
});
let base = "";
let signedBase = "";
before(async () => {
  writeFileSync(join(root, "big.flv"), Buffer.alloc(8 * 1024 * 1024, 7));
  writeFileSync(join(root, "small.jpg"), "JPEG");
  // Links out of the root (regression: /files/ served /etc/passwd through one), and one inside.
  symlinkSync("/etc/passwd", join(root, "leak.jpg"));
  mkdirSync(join(root, "live"));
  symlinkSync("/etc", join(root, "live", "etc"));
  symlinkSync(join(root, "small.jpg"), join(root, "live", "inside.jpg"));
  mkdirSync(join(root, "hls"));
  writeFileSync(join(root, "hls", "rec_0.ts"), "TS0");
  writeFileSync(join(root, "hls", "rec_1.ts"), "TS1");
  writeFileSync(
    join(root, "hls", "rec.m3u8"),
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nrec_0.ts\n#EXTINF:2.0,\nrec_1.ts\n#EXT-X-ENDLIST\n",
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`;
  await new Promise<void>((resolve) => signedServer.listen(0, "127.0.0.1", resolve));
  signedBase = `http://127.0.0.1:${(signedServer.address() as AddressInfo).port}/files/`;
});
after(async () => {
  server.closeAllConnections();
  signedServer.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => signedServer.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

const openFiles = () => readdirSync("/proc/self/fd").length;

test("ranges: 206 with Content-Range, 416 out of range", async () => {
  const partial = await fetch(`${base}big.flv`, { headers: { range: "bytes=10-19" } });
  assert.equal(partial.status, 206);
  assert.equal(partial.headers.get("content-range"), `bytes 10-19/${8 * 1024 * 1024}`);
  assert.equal((await partial.arrayBuffer()).byteLength, 10);
  const outside = await fetch(`${base}big.flv`, { headers: { range: "bytes=99999999-" } });
  assert.equal(outside.status, 416);
  assert.equal(outside.headers.get("content-range"), `bytes */${8 * 1024 * 1024}`);
  assert.equal((await readErrorBody(outside)).code, "ONAIR_ERR_RANGE_NOT_SATISFIABLE");
});

test("regression: clients that abort mid-download leave no file open", async () => {
  const before = openFiles();
  for (let i = 0; i < 20; i++) {
    await new Promise<void>((resolve) => {
      const req = request(`${base}big.flv`, (res) => {
        res.once("data", () => {
          req.destroy(); // a player seeking away
          resolve();
        });
      });
      req.on("error", () => resolve());
      req.end();
    });
  }
  // The server notices the closed sockets on its next reads; give it a moment.
  await waitFor("the aborted downloads' descriptors to close", () => openFiles() <= before + 2, {
    timeoutMs: 5000,
    intervalMs: 50,
  });
  assert.ok(openFiles() <= before + 2, `${openFiles() - before} descriptors left open`);
});

test("regression: a symbolic link out of the files root is a 404", async () => {
  for (const path of ["leak.jpg", "live/etc/passwd.jpg", "live/etc/hostname.jpg"]) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(await res.text(), /root:/);
  }
  const head = await fetch(`${base}leak.jpg`, { method: "HEAD" });
  assert.equal(head.status, 404);
  // A link that stays inside the root is just another name of the file.
  const inside = await fetch(`${base}live/inside.jpg`);
  assert.equal(inside.status, 200);
  assert.equal(await inside.text(), "JPEG");
});

test("signed /files/: without a signature a 403 that says what is missing, not whether the file exists", async () => {
  for (const path of ["big.flv", "no-such-file.flv", "leak.jpg"]) {
    const res = await fetch(`${signedBase}${path}`);
    assert.equal(res.status, 403, path);
    const body = await readErrorBody(res);
    assert.equal(body.code, "ONAIR_ERR_AUTH_MISSING");
    assert.match(body.message, /signed URL is required/);
  }
  const head = await fetch(`${signedBase}big.flv`, { method: "HEAD" });
  assert.equal(head.status, 403);
  // Signed, what is outside the root or unfinished is still not there.
  for (const name of ["../../etc/passwd.jpg", "big.flv.part", "big.flv.json", "leak.jpg"]) {
    const signed = `${encodeURIComponent(name)}${fileUrlQuery(access, name)}`;
    const found: Response = await fetch(`${signedBase}${signed}`);
    assert.equal(found.status, 404, name);
  }
  assert.ok(refused.some((r) => r.reason === "missing" && r.path === "big.flv"));
});

test("signed /files/: a signed URL is served, byte ranges included", async () => {
  const url = `${signedBase}big.flv${fileUrlQuery(access, "big.flv")}`;
  const whole = await fetch(url, { method: "HEAD" });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("content-length"), String(8 * 1024 * 1024));
  const partial = await fetch(url, { headers: { range: "bytes=10-19" } });
  assert.equal(partial.status, 206);
  assert.equal(partial.headers.get("content-range"), `bytes 10-19/${8 * 1024 * 1024}`);
  assert.equal((await partial.arrayBuffer()).byteLength, 10);
  const small = await fetch(`${signedBase}small.jpg${fileUrlQuery(access, "small.jpg")}`);
  assert.equal(small.status, 200);
  assert.equal(await small.text(), "JPEG");
});

test("signed /files/: another path, a changed sig or expiry, or another key is a 403", async () => {
  const query = fileUrlQuery(access, "small.jpg");
  const expires = Number(new URLSearchParams(query).get("expires"));
  const sig = new URLSearchParams(query).get("sig") ?? "";
  const flipped = `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`;
  const forged = [
    `big.flv${query}`, // the signature of another file
    `small.jpg?expires=${expires}&sig=${flipped}`,
    `small.jpg?expires=${expires + 3600}&sig=${sig}`, // a later expiry under the old sig
    `small.jpg?expires=${expires}&sig=${sig.toUpperCase()}x`,
    `small.jpg?expires=abc&sig=${sig}`,
    `small.jpg${signFilePath("another-key-entirely-0123456789", "small.jpg", expires)}`,
  ];
  for (const path of forged) {
    const res = await fetch(`${signedBase}${path}`);
    assert.equal(res.status, 403, path);
    assert.equal((await readErrorBody(res)).code, "ONAIR_ERR_AUTH_SIGNATURE", path);
  }
});

test("signed /files/: an expired URL is a 403 that says it expired", async () => {
  const url = `${signedBase}small.jpg${fileUrlQuery(access, "small.jpg")}`;
  assert.equal((await fetch(url)).status, 200);
  const issuedAt = nowMs;
  try {
    nowMs = issuedAt + 3600 * 1000; // exactly at `expires`: no longer valid
    const res = await fetch(url);
    assert.equal(res.status, 403);
    const body = await readErrorBody(res);
    assert.equal(body.code, "ONAIR_ERR_AUTH_EXPIRED");
    assert.match(body.message, /expired/);
  } finally {
    nowMs = issuedAt;
  }
});

test("files.public: served without a signature", async () => {
  assert.equal(fileUrlQuery({ public: true }, "small.jpg"), "");
  const res = await fetch(`${base}small.jpg`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "JPEG");
});

test("signed /files/: an HLS playlist's segments carry signatures that expire with it", async () => {
  const playlistUrl = `${signedBase}hls/rec.m3u8${fileUrlQuery(access, "hls/rec.m3u8")}`;
  const playlist = await fetch(playlistUrl);
  assert.equal(playlist.status, 200);
  const text = await playlist.text();
  const segments = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  assert.equal(segments.length, 2);
  const expires = new URL(playlistUrl).searchParams.get("expires");
  for (const [i, segment] of segments.entries()) {
    // Resolved against the playlist's URL, as a player does (its query is dropped).
    const url = new URL(segment, playlistUrl);
    assert.equal(url.searchParams.get("expires"), expires);
    const res = await fetch(url);
    assert.equal(res.status, 200, segment);
    assert.equal(await res.text(), `TS${i}`);
  }
  assert.equal((await fetch(`${signedBase}hls/rec_0.ts`)).status, 403);
  // Public files are served untouched.
  assert.doesNotMatch(await (await fetch(`${base}hls/rec.m3u8`)).text(), /sig=/);
});
