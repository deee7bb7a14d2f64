import assert from "node:assert/strict";
import { test } from "node:test";
import { assertCallbackUrlAllowed } from "../../src/api/callback-url-policy.js";
import { OnAirError } from "../../src/errors.js";

function verdict(url: string, allowPrivate: boolean): string {
  try {
    assertCallbackUrlAllowed("StreamBeginNotifyUrl", url, { allowPrivate });
    return "ok";
  } catch (err) {
    assert.ok(err instanceof OnAirError);
    assert.match(err.message, /^StreamBeginNotifyUrl /);
    return err.tencentCode;
  }
}

test("public http and https URLs are accepted either way", () => {
  for (const url of [
    "http://callbacks.example.com/live",
    "https://callbacks.example.com:8443/live?x=1",
    "https://user:pass@hooks.example.com/live",
    "http://203.0.113.7/cb",
    "http://[2001:db8::1]/cb",
  ]) {
    assert.equal(verdict(url, true), "ok", url);
    assert.equal(verdict(url, false), "ok", url);
  }
});

test("not a URL, or not http(s) → InvalidParameterValue", () => {
  for (const url of [
    "not a url",
    "/relative/path",
    "ftp://example.com/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
  ]) {
    assert.equal(verdict(url, true), "InvalidParameterValue", url);
  }
});

test("link-local and cloud metadata targets are refused even when private ones are allowed", () => {
  for (const url of [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.0.23/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",
    "http://[::ffff:169.254.169.254]/",
    "http://100.100.100.200/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://METADATA.GOOGLE.INTERNAL./",
    "http://metadata.tencentyun.com/",
    "http://0.0.0.0:8080/",
    "http://224.0.0.1/",
  ]) {
    assert.equal(verdict(url, true), "InvalidParameter.UrlNotSafe", url);
  }
});

test("private and loopback literals: allowed by default, refused when callbackAllowPrivate is false", () => {
  for (const url of [
    "http://127.0.0.1:3000/cb",
    "http://2130706433/cb", // 127.0.0.1 in decimal: the URL parser normalises it
    "http://0x7f.1/cb",
    "http://10.1.2.3/cb",
    "http://172.20.0.5/cb",
    "http://192.168.1.10/cb",
    "http://100.64.0.1/cb",
    "http://[::1]:3000/cb",
    "http://[fd12:3456::1]/cb",
    "http://[::ffff:10.0.0.1]/cb",
    "http://localhost:3000/cb",
    "http://api.localhost/cb",
  ]) {
    assert.equal(verdict(url, true), "ok", url);
    assert.equal(verdict(url, false), "InvalidParameter.UrlNotSafe", url);
  }
});
