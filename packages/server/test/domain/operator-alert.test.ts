import assert from "node:assert/strict";
import { test } from "node:test";
import { alertMessage } from "../../src/domain/operator-alert.js";

test("a dead delivery's message counts its attempts in words a person reads", () => {
  const dead = (attempts: number) =>
    alertMessage({
      alert: "delivery_dead",
      url: "https://hooks.example.com/live",
      delivery_id: "msg_1",
      event_id: "evt_1",
      delivery_event_type: 1,
      attempts,
      last_error: "http_status: HTTP 503",
    });
  assert.equal(
    dead(1),
    "delivery msg_1 to https://hooks.example.com/live is dead after 1 attempt (http_status: HTTP 503)",
  );
  assert.match(dead(9), / is dead after 9 attempts \(/);
});
