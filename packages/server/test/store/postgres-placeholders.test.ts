import assert from "node:assert/strict";
import { test } from "node:test";
import { numbered } from "../../src/store/postgres/postgres-runner.js";

test("? placeholders become $1, $2, … in order", () => {
  assert.equal(
    numbered("SELECT * FROM t WHERE a = ? AND b IN (?, ?)"),
    "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)",
  );
});

test("a ? inside a string, a quoted name or a comment is text, not a placeholder", () => {
  assert.equal(
    numbered(`SELECT 'why?', "col?" FROM t -- really?\nWHERE a = ? AND b = 'it''s ?'`),
    `SELECT 'why?', "col?" FROM t -- really?\nWHERE a = $1 AND b = 'it''s ?'`,
  );
});
