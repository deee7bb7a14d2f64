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

/** `/files/` on a real server: byte ranges, and no file left open by clients that go away. */
const root = mkdtempSync(join(tmpdir(), "onair-files-"));
const server = createHttpServer({
  logger: pino({ level: "silent" }),
  routes: [
    { method: "GET", path: "/files/", handler: createFileRoute({ root, prefix: "/files/" }) },
  ],
});
let base = "";
before(async () => {
  writeFileSync(join(root, "big.flv"), Buffer.alloc(8 * 1024 * 1024, 7));
  writeFileSync(join(root, "small.jpg"), "JPEG");
  // Links out of the root (regression: /files/ served /etc/passwd through one), and one inside.
  symlinkSync("/etc/passwd", join(root, "leak.jpg"));
  mkdirSync(join(root, "live"));
  symlinkSync("/etc", join(root, "live", "etc"));
  symlinkSync(join(root, "small.jpg"), join(root, "live", "inside.jpg"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
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
  const deadline = Date.now() + 5000;
  while (openFiles() > before + 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
