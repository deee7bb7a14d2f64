import assert from "node:assert/strict";
import { test } from "node:test";
import { matchRule } from "../../src/domain/rule-matching.js";
import type { CallbackRule } from "../../src/domain/types.js";

const at = new Date("2026-01-01T00:00:00Z");
const rule = (domainName: string, appName: string, templateId: number): CallbackRule => ({
  domainName,
  appName,
  templateId,
  createdAt: at,
  updatedAt: at,
});
const RULES = [
  rule("push.example.com", "", 1),
  rule("push.example.com", "live", 2),
  rule("other.example.com", "live", 3),
];

test("an exact (domain, AppName) rule wins over the domain-wide one", () => {
  assert.equal(matchRule(RULES, "push.example.com", "live")?.templateId, 2);
});

test('the domain-wide rule (AppName "") catches every other AppName', () => {
  assert.equal(matchRule(RULES, "push.example.com", "vod")?.templateId, 1);
  assert.equal(matchRule(RULES, "push.example.com", "")?.templateId, 1);
});

test("the exact rule wins whatever the order of the rules", () => {
  assert.equal(matchRule([...RULES].reverse(), "push.example.com", "live")?.templateId, 2);
});

test("domain names compare case-insensitively, AppNames exactly", () => {
  assert.equal(matchRule(RULES, "PUSH.Example.COM", "live")?.templateId, 2);
  assert.equal(
    matchRule([rule("Push.Example.com", "live", 4)], "push.example.com", "live")?.templateId,
    4,
  );
  assert.equal(matchRule(RULES, "push.example.com", "Live")?.templateId, 1, "Live is not live");
});

test("no rule for the domain, or only another AppName's: undefined", () => {
  assert.equal(matchRule(RULES, "unknown.example.com", "live"), undefined);
  assert.equal(matchRule(RULES, "other.example.com", "vod"), undefined);
  assert.equal(matchRule([], "push.example.com", "live"), undefined);
});

test("a domain is not matched by a suffix or prefix of it", () => {
  assert.equal(matchRule(RULES, "example.com", "live"), undefined);
  assert.equal(matchRule(RULES, "a.push.example.com", "live"), undefined);
});
