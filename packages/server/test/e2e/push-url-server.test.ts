import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { publishWithFfmpeg } from "../helpers/ffmpeg-publisher.js";
import { startTestOnAir, type TestOnAir } from "../helpers/test-onair.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * `onair push-url --server` prints a URL a local encoder can use as it is (issue 14): by
 * address, with the domain as `?domain=`, signed with the domain's push key. Real ffmpeg pushes
 * to it and OnAir, with push auth on, accepts the publish.
 */

const bin = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));
const run = promisify(execFile);
const DOMAIN = "push.example.com";
const KEY = "pushUrlServerKey0123";

let node: TestOnAir;
before(async () => {
  node = await startTestOnAir({ rtmp: true });
  await node.sdk.AddLiveDomain({ DomainName: DOMAIN, DomainType: 0, PlayType: 1 });
  await node.sdk.ModifyLivePushAuthKey({ DomainName: DOMAIN, Enable: 1, MasterAuthKey: KEY });
});
after(() => node?.stop());

test("the printed URL publishes to a local OnAir with push auth on", {
  timeout: 30_000,
}, async () => {
  const server = `127.0.0.1:${node.onair.rtmpPort}`;
  const { stdout } = await run(
    process.execPath,
    [bin, "push-url", "--domain", DOMAIN, "--stream", "room42", "--key", KEY, "--server", server],
    { timeout: 10_000 },
  );
  const url = stdout.trim();
  assert.match(
    url,
    new RegExp(
      `^rtmp://${server}/live/room42\\?domain=${DOMAIN}&txSecret=[0-9a-f]{32}&txTime=[0-9A-F]+$`,
    ),
  );
  const ffmpeg = publishWithFfmpeg(url, { seconds: 1 });
  const push = await waitFor("the push event of room42", async () => {
    const events = await node.onair.store.events.list({ streamId: "room42", limit: 10 });
    return events.find((e) => e.eventType === 1);
  });
  assert.equal(push.domainName, DOMAIN);
  assert.equal((await ffmpeg.exited).code, 0);
});
