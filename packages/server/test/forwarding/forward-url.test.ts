import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { retryDelayMs } from "../../src/forwarding/forward-target.js";
import { forwardUrl, forwardUrlProblem, redactedUrl } from "../../src/forwarding/forward-url.js";

const key = { domainName: "push.example.com", appName: "live", streamName: "cam 1" };

describe("forward target URLs", () => {
  test("without {StreamName} the stream name is appended to the path, before the query", () => {
    assert.equal(
      forwardUrl("rtmp://cdn.example.com/app", key),
      "rtmp://cdn.example.com/app/cam%201",
    );
    assert.equal(
      forwardUrl("rtmp://cdn.example.com/app/?k=v", key),
      "rtmp://cdn.example.com/app/cam%201?k=v",
    );
  });

  test("placeholders are replaced, each value URL-encoded", () => {
    assert.equal(
      forwardUrl("rtmps://x.example.com/{AppName}/{DomainName}-{StreamName}?sig=1", key),
      "rtmps://x.example.com/live/push.example.com-cam%201?sig=1",
    );
  });

  test("problems are named; the query is left out of logs", () => {
    assert.equal(forwardUrlProblem("rtmp://cdn.example.com/app"), null);
    assert.match(forwardUrlProblem("http://cdn.example.com/app") ?? "", /scheme/);
    assert.match(
      forwardUrlProblem("rtmp://cdn.example.com") ?? "",
      /no stream name|no application/,
    );
    assert.equal(redactedUrl("rtmp://h/a/s?txSecret=abc"), "rtmp://h/a/s?…");
  });

  test("retry delays double from the initial wait up to the cap", () => {
    const policy = { initialMs: 1000, maxMs: 30_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 100].map((n) => retryDelayMs(n, policy)),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
    );
  });
});
