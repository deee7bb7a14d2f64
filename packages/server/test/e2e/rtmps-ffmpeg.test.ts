import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect as connectTls } from "node:tls";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startTestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";
import { type IngestHarness, startIngestHarness } from "./ingest-harness.js";

/**
 * Real ffmpeg publishing over RTMPS (`-tls_verify 0`) to OnAir's self-signed TLS listener
 * (docs/relay.md): the same push and interruption callbacks, with the same errcodes, as over
 * plain RTMP (rtmp-ffmpeg.test.ts), and a peer that never completes TLS is cut at the handshake
 * timeout without harming the listener.
 */
describe("RTMPS ingest with real ffmpeg", () => {
  let h: IngestHarness;
  let rtmpsUrl: (path: string) => string;
  before(async () => {
    h = await startIngestHarness({
      handshakeTimeoutMs: 1000,
      rtmps: { enabled: true, port: 0, host: "127.0.0.1", selfSigned: true },
    });
    const port = h.onair.rtmpsPort;
    assert.ok(port, "RTMPS listens");
    rtmpsUrl = (path) => `rtmps://127.0.0.1:${port}/${path}`;
  });
  after(async () => {
    await h.stop();
  });

  test("a normal end over TLS: push (event 1) with the picture size, interruption errcode 1", async () => {
    const ffmpeg = publishWithFfmpeg(rtmpsUrl("live/tls-normal"), {
      seconds: 3,
      outputArgs: ["-tls_verify", "0"],
    });
    const [push] = await h.events("tls-normal", 1);
    const exit = await ffmpeg.exited;
    assert.equal(exit.code, 0, exit.stderr);
    const [end] = await h.events("tls-normal", 0);
    assert.equal(push?.appname, "live");
    assert.equal(push?.width, 640);
    assert.equal(push?.user_ip, "127.0.0.1");
    assert.equal(end?.sequence, push?.sequence);
    assert.equal(end?.errcode, 1, "deleteStream, as over RTMP");
  });

  test("ffmpeg killed over TLS: errcode 3, as over RTMP", async () => {
    const ffmpeg = publishWithFfmpeg(rtmpsUrl("live/tls-killed"), {
      outputArgs: ["-tls_verify", "0"],
    });
    await h.events("tls-killed", 1);
    ffmpeg.child.kill("SIGKILL");
    await ffmpeg.exited;
    const [end] = await h.events("tls-killed", 0);
    assert.equal(end?.errcode, 3);
  });

  test("a peer that sends no TLS handshake is closed at the handshake timeout", async () => {
    const socket = connect({ host: "127.0.0.1", port: h.onair.rtmpsPort ?? 0 });
    socket.on("error", () => undefined);
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const waited = Date.now() - started;
    assert.ok(waited >= 900 && waited < 5000, `closed after ${waited} ms`);
    // And garbage instead of a ClientHello is a logged TLS failure, not a crash.
    const garbage = connect({ host: "127.0.0.1", port: h.onair.rtmpsPort ?? 0 }, () =>
      garbage.write(Buffer.alloc(64, 0x03)),
    );
    garbage.on("error", () => undefined);
    await new Promise<void>((resolve) => garbage.once("close", () => resolve()));
    const metrics = await waitFor("the TLS failures in the metrics", async () => {
      const text = await (await fetch(`http://127.0.0.1:${h.onair.httpPort}/metrics`)).text();
      const match = /onair_rtmps_tls_failures_total (\d+)/.exec(text);
      return match && Number(match[1]) >= 2 ? text : null;
    });
    assert.match(metrics, /onair_rtmp_connections 0/);
  });
});

describe("RTMPS and RTMP share the connection limits", () => {
  test("with one connection per address, an open RTMP connection makes a TLS one be refused", async () => {
    const node = await startTestOnAir({
      rtmp: true,
      flags: {
        ingest: {
          maxConnectionsPerIp: 1,
          rtmps: { enabled: true, port: 0, host: "127.0.0.1", selfSigned: true },
        },
      },
    });
    const tls = () =>
      new Promise<"secure" | "refused">((resolve) => {
        const socket = connectTls({
          host: "127.0.0.1",
          port: node.onair.rtmpsPort ?? 0,
          rejectUnauthorized: false,
        });
        socket.once("secureConnect", () => {
          socket.destroy();
          resolve("secure");
        });
        socket.once("error", () => resolve("refused"));
        socket.once("close", () => resolve("refused"));
      });
    try {
      const held = connect({ host: "127.0.0.1", port: node.onair.rtmpPort ?? 0 });
      await new Promise<void>((resolve) => held.once("connect", () => resolve()));
      await waitFor("the RTMP connection counted", async () => {
        const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
        return /onair_rtmp_connections 1/.test(text);
      });
      assert.equal(await tls(), "refused");
      const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
      assert.match(text, /onair_rtmp_connections_refused_total 1/);
      held.destroy();
      await waitFor("the slot free again", async () => {
        const now = await (await fetch(`${node.httpUrl}/metrics`)).text();
        return /onair_rtmp_connections 0/.test(now);
      });
      assert.equal(await tls(), "secure");
    } finally {
      await node.stop();
    }
  });
});
