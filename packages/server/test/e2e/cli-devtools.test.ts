import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Listener, onair, startApp, startListener } from "./cli-devtools-process.js";

const KEY = "DevToolsKey42";
const md5 = (text: string) => createHash("md5").update(text).digest("hex");
/** Fixture signatures computed here, independently of @onair/callbacks. */
const hmac = (key: string, id: string, ts: number, body: string) =>
  `v1,${createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64")}`;
/** The ANSI escape that starts every colour. */
const ESC = "\u001b[";
const oneLine = (text: string) => text.trim().split("\n").length === 1;

describe("onair listen + trigger", () => {
  let listener: Listener;
  before(async () => {
    listener = await startListener(["--key", KEY]);
  });
  after(async () => {
    assert.equal(await listener.stop(), 0);
  });

  test("the first line names the URL and the key", () => {
    assert.match(
      listener.output(),
      /^Listening on http:\/\/127\.0\.0\.1:\d+ \(key DevToolsKey42\)/,
    );
  });

  test("every event type arrives and is shown VERIFIED", async () => {
    const kinds = {
      push: "push(1)",
      interrupt: "interruption(0)",
      record: "record-file(100)",
      snapshot: "snapshot(200)",
      porn: "porn-detection(317)",
    };
    for (const [kind, shown] of Object.entries(kinds)) {
      const sent = await onair([
        "trigger",
        kind,
        "--url",
        listener.url,
        "--key",
        KEY,
        "--stream",
        `s_${kind}`,
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(sent.stdout, /1 of 1 event answered 200/);
      const out = await listener.waitFor((o) => o.includes(`s_${kind}`));
      const line = out.split("\n").find((l) => l.includes(`s_${kind}`)) ?? "";
      assert.ok(line.includes(shown), line);
      assert.match(line, /VERIFIED$/);
    }
    assert.ok(!listener.output().includes(ESC), "no colours when stdout is not a TTY");
    assert.match(listener.output(), /s_interrupt +seq \d+ +errcode 1 +"The push client actively/);
  });

  test("a callback signed with another key is shown REJECTED with the code", async () => {
    const sent = await onair([
      "trigger",
      "push",
      "--url",
      listener.url,
      "--key",
      "NotTheKey",
      "--stream",
      "forged",
    ]);
    assert.equal(sent.code, 1);
    assert.ok(oneLine(sent.stderr), sent.stderr);
    assert.match(sent.stderr, /^onair: 1 of 1 event not answered 200 \(first: push HTTP 401\)/);
    const out = await listener.waitFor((o) => o.includes("forged"));
    assert.match(out, /push\(1\) +forged .*REJECTED ONAIR_ERR_CALLBACK_BAD_SIGN/);
  });

  test("a body changed after signing fails the webhook-signature", async () => {
    const t = Math.floor(Date.now() / 1000) + 600;
    const ts = Math.floor(Date.now() / 1000);
    const original = JSON.stringify({
      event_type: 1,
      stream_id: "honest",
      channel_id: "honest",
      t,
      sign: md5(KEY + t),
    });
    const tampered = original.replaceAll("honest", "tampered");
    const reply = await fetch(listener.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": "msg_test",
        "webhook-timestamp": String(ts),
        "webhook-signature": hmac(KEY, "msg_test", ts, original),
      },
      body: tampered,
    });
    assert.equal(reply.status, 401);
    const out = await listener.waitFor((o) => o.includes("tampered"));
    assert.match(out, /tampered .*REJECTED ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE/);
  });
});

describe("onair listen --json + trigger session", () => {
  test("a session arrives in order, duplicated and reversed on request", async () => {
    const listener = await startListener(["--key", KEY, "--json"]);
    try {
      assert.deepEqual(Object.keys(JSON.parse(listener.output().split("\n")[0]!)), [
        "listening",
        "key",
        "forward_to",
      ]);
      const plain = await onair([
        "trigger",
        "session",
        "--url",
        listener.url,
        "--key",
        KEY,
        "--stream",
        "life",
      ]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stdout, /5 of 5 events answered 200/);
      const events = () =>
        listener
          .output()
          .trim()
          .split("\n")
          .slice(1)
          .map(
            (line) =>
              JSON.parse(line) as Record<string, unknown> & { facts: Record<string, string> },
          );
      await listener.waitFor(() => events().length === 5);
      const life = events();
      assert.deepEqual(
        life.map((e) => e.event_type),
        [1, 200, 200, 100, 0],
      );
      assert.ok(life.every((e) => e.verified === true && e.stream === "life"));
      assert.equal(
        life[0]!.facts.seq,
        life[4]!.facts.seq,
        "push and interruption share the sequence",
      );

      const shuffled = await onair([
        "trigger",
        "session",
        "--url",
        listener.url,
        "--key",
        KEY,
        "--stream",
        "again",
        "--duplicate",
        "2",
        "--out-of-order",
      ]);
      assert.equal(shuffled.code, 0, shuffled.stderr);
      assert.match(shuffled.stdout, /10 of 10 events answered 200/);
      await listener.waitFor(() => events().length === 15);
      const again = events().slice(5);
      assert.deepEqual(
        again.map((e) => e.event_type),
        [0, 0, 100, 100, 200, 200, 200, 200, 1, 1],
      );
      assert.deepEqual(
        again.map((e) => e.seen),
        [1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
        "a duplicate keeps its webhook-id",
      );
    } finally {
      assert.equal(await listener.stop(), 0);
    }
  });
});

describe("onair listen --forward-to", () => {
  test("trigger --retry sees the app's 500, then its 200, through the listener", async () => {
    const app = await startApp([500, 200]);
    const listener = await startListener(["--key", KEY, "--forward-to", app.url]);
    try {
      await listener.waitFor((o) => /Forwarding to http:\/\/127\.0\.0\.1:\d+\/callbacks/.test(o));
      const sent = await onair([
        "trigger",
        "push",
        "--url",
        listener.url,
        "--key",
        KEY,
        "--retry",
        "--retry-interval-ms",
        "200",
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(
        sent.stdout,
        /attempt 1\/4 +-> 500 in \d+ ms +\{"error":"app says 500"\} +retrying in 200 ms/,
      );
      assert.match(sent.stdout, /attempt 2\/4 +-> 200 in \d+ ms/);
      assert.doesNotMatch(sent.stdout, /attempt 3/);
      const out = await listener.waitFor((o) => o.includes("-> app 200"));
      assert.match(out, /VERIFIED\n {2}-> app 500 in \d+ ms {2}\{"error":"app says 500"\}/);
      assert.match(out, /repeat #2 of msg_/);
      // The app got the original bytes and headers: its own verification still works.
      assert.equal(app.received.length, 2);
      const [first, second] = app.received;
      assert.equal(first!.headers["webhook-id"], second!.headers["webhook-id"]);
      const body = JSON.parse(second!.body) as { t: number; sign: string };
      assert.equal(body.sign, md5(KEY + body.t));
      const ts = Number(second!.headers["webhook-timestamp"]);
      assert.equal(
        second!.headers["webhook-signature"],
        hmac(KEY, String(second!.headers["webhook-id"]), ts, second!.body),
      );
    } finally {
      assert.equal(await listener.stop(), 0);
      await app.close();
    }
  });

  test("an app that keeps failing: every attempt printed, one line, exit 1", async () => {
    const app = await startApp([503]);
    try {
      const sent = await onair([
        "trigger",
        "snapshot",
        "--url",
        app.url,
        "--key",
        KEY,
        "--retry-interval-ms",
        "50",
        "--max-retries",
        "2",
      ]);
      assert.equal(sent.code, 1);
      assert.equal(sent.stdout.match(/-> 503/g)?.length, 3);
      assert.ok(oneLine(sent.stderr), sent.stderr);
      assert.match(
        sent.stderr,
        /^onair: 1 of 1 event not answered 200 \(first: snapshot HTTP 503 after 3 attempts\)/,
      );
      assert.equal(app.received.length, 3);
    } finally {
      await app.close();
    }
  });
});

describe("onair push-url", () => {
  test("Tencent's test vector", async () => {
    const result = await onair([
      "push-url",
      "--domain",
      "push.example.com",
      "--app",
      "live",
      "--stream",
      "test",
      "--key",
      "e12c46f2612d5106e2034781ab261ca3",
      "--expires",
      "1546064025",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      "rtmp://push.example.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099\n",
    );
    assert.match(result.stderr, /expired at 2018-12-29T06:13:45/);
  });

  test("default expiry 24 h; durations and ISO times", async () => {
    const key = "e12c46f2612d5106e2034781ab261ca3";
    const base = ["push-url", "--domain", "push.example.com", "--stream", "room42", "--key", key];
    for (const [extra, seconds] of [
      [[], 86_400],
      [["--expires", "2h"], 7_200],
    ] as const) {
      const now = Math.floor(Date.now() / 1000);
      const result = await onair([...base, ...extra]);
      assert.equal(result.code, 0, result.stderr);
      const url = new URL(result.stdout.trim());
      const txTime = url.searchParams.get("txTime")!;
      assert.match(txTime, /^[0-9A-F]+$/);
      assert.ok(Math.abs(Number.parseInt(txTime, 16) - (now + seconds)) <= 2, txTime);
      assert.equal(url.searchParams.get("txSecret"), md5(`${key}room42${txTime}`));
    }
    const iso = await onair([...base, "--expires", "2030-01-01T00:00:00Z", "--json"]);
    const json = JSON.parse(iso.stdout) as { txTime: string; url: string };
    assert.equal(json.txTime, (Date.UTC(2030, 0, 1) / 1000).toString(16).toUpperCase());
    assert.equal(iso.stderr, "");
  });
});

describe("onair verify", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "onair-verify-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const save = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const pushBody = (t: number, sign: string) =>
    JSON.stringify({
      event_type: 1,
      appid: 12345678,
      app: "test.domain.com",
      appname: "live",
      stream_id: "saved",
      channel_id: "saved",
      event_time: t - 600,
      sequence: "2210464508206756938",
      node: "42.81.194.37",
      user_ip: "1.1.1.1",
      stream_param: "",
      errcode: 0,
      errmsg: "ok",
      t,
      sign,
    });

  test("a good body, with its headers, is valid", async () => {
    const t = Math.floor(Date.now() / 1000) + 600;
    const body = pushBody(t, md5(KEY + t));
    const file = save("good.json", body);
    const ts = t - 600;
    const headers = save(
      "headers.txt",
      `POST /callbacks HTTP/1.1\ncontent-type: application/json\nwebhook-id: msg_1\nwebhook-timestamp: ${ts}\nwebhook-signature: ${hmac(KEY, "msg_1", ts, body)}\n`,
    );
    const result = await onair(["verify", file, "--key", KEY, "--headers", headers]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^valid: push\(1\) +saved .*sign ok.*webhook-signature ok/);
    const piped = await onair(["verify", "-", "--key", KEY], { input: body });
    assert.equal(piped.code, 0, piped.stderr);
  });

  test("a bad body: one line per problem, with the verifier's codes", async () => {
    const t = Math.floor(Date.now() / 1000) - 3600;
    const file = save("bad.json", pushBody(t, md5(`OtherKey${t}`)));
    const result = await onair(["verify", file, "--key", KEY]);
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 2, result.stderr);
    assert.match(
      lines[0]!,
      /^onair: sign does not match any key: .* \(ONAIR_ERR_CALLBACK_BAD_SIGN\)$/,
    );
    assert.match(
      lines[1]!,
      /^onair: t has expired: .*in the past.* \(ONAIR_ERR_CALLBACK_EXPIRED\)$/,
    );

    const notJson = await onair(["verify", save("nojson.json", "{ nope")], {
      env: { ONAIR_CALLBACK_KEY: KEY },
    });
    assert.equal(notJson.code, 1);
    assert.ok(oneLine(notJson.stderr), notJson.stderr);
    assert.match(notJson.stderr, /\(ONAIR_ERR_CALLBACK_NOT_JSON\)/);

    const unsigned = await onair(["verify", "-", "--key", KEY], {
      input: '{"event_type":1,"stream_id":"x"}',
    });
    assert.equal(unsigned.code, 1);
    assert.match(
      unsigned.stderr,
      /sign or t is missing: no sign, no t \(ONAIR_ERR_CALLBACK_MISSING_SIGN\)/,
    );
  });
});

describe("bad input", () => {
  test("one line on stderr and a non-zero exit", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["trigger", "pusj", "--url", "http://127.0.0.1:9", "--key", KEY],
        /invalid for argument 'kind'. Allowed choices are push, interrupt/,
      ],
      [
        ["trigger", "push", "--url", "ftp://x", "--key", KEY],
        /"ftp:\/\/x" is not an http:\/\/ or https:\/\/ URL/,
      ],
      [["trigger", "push", "--url", "not a url", "--key", KEY], /is not a URL/],
      [
        ["trigger", "push", "--url", "http://127.0.0.1:9"],
        /required option '--key <key>' not specified/,
      ],
      [
        ["trigger", "push", "--url", "http://127.0.0.1:9", "--key", KEY, "--duplicate", "0"],
        /"0" is not an integer >= 1/,
      ],
      [["listen", "--port", "http"], /"http" is not a port number/],
      [["listen", "--port", "70000"], /"70000" is not a port number/],
      [
        ["push-url", "--domain", "d", "--stream", "s", "--key", "k", "--expires", "soon"],
        /"soon" is not a duration/,
      ],
      [
        ["push-url", "--domain", "d", "--stream", "s", "--key", "k", "--expires", "3600"],
        /add a unit/,
      ],
      [["push-url", "--domain", "d", "--stream", "s"], /required option '--key <key>'/],
      [
        ["verify", join(tmpdir(), "onair-no-such-file.json"), "--key", KEY],
        /cannot read body .*no such file/,
      ],
      [["verify", "x.json"], /required option '--key <key>'/],
    ];
    for (const [args, expected] of cases) {
      const result = await onair(args);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.ok(oneLine(result.stderr), `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, expected, args.join(" "));
    }
  });

  test("a port in use: one line", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      const result = await onair(["listen", "--port", String(port), "--key", KEY]);
      assert.equal(result.code, 1);
      assert.ok(oneLine(result.stderr), result.stderr);
      assert.match(result.stderr, /cannot listen on 127\.0\.0\.1:\d+: the port is in use/);
    } finally {
      busy.close();
    }
  });

  test("an unreachable app is a failed attempt, not a crash", async () => {
    const app = await startApp([200]);
    await app.close();
    const result = await onair(["trigger", "push", "--url", app.url, "--key", KEY]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /failed: .*ECONNREFUSED/);
    assert.ok(oneLine(result.stderr), result.stderr);
  });

  test("every command's --help has examples; colours only on request", async () => {
    for (const command of ["listen", "trigger", "push-url", "verify"]) {
      const help = await onair([command, "--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Examples:\n {2}onair /);
    }
    const app = await startApp([200]);
    try {
      const coloured = await onair(["trigger", "push", "--url", app.url, "--key", KEY], {
        env: { FORCE_COLOR: "1" },
      });
      assert.ok(coloured.stdout.includes(`${ESC}32m200${ESC}39m`), coloured.stdout);
      const plain = await onair(["trigger", "push", "--url", app.url, "--key", KEY], {
        env: { FORCE_COLOR: "0", NO_COLOR: "1" },
      });
      assert.ok(!plain.stdout.includes(ESC));
    } finally {
      await app.close();
    }
  });
});
