import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { CallbackAdapterOptions } from "../../src/adapters/handle-callback.js";
import type { CallbackEvent } from "../../src/index.js";
import { createCallbackRequest } from "../../src/index.js";
import { sample } from "../fixtures.js";

/** A running framework app serving the adapter at `url`. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export const KEY = "AdapterKey01";

/** What the app's handler does; the matrix switches it per test. */
export interface Behaviour {
  calls: CallbackEvent[];
  fail: boolean;
}

function signedBody(t: number, key = KEY): string {
  const sign = createHash("md5").update(`${key}${t}`).digest("hex");
  return JSON.stringify({ ...sample("push-2023"), t, sign });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function post(url: string, body: string, contentType = "application/json") {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    json: JSON.parse(text) as { code?: number; error?: { code: string; message: string } },
  };
}

/**
 * The same real-HTTP checks for every framework: a valid callback reaches the handler once and gets
 * 200 {"code":0}; each kind of bad request gets its 4xx code and never reaches the handler.
 */
export function adapterMatrix(
  framework: string,
  start: (options: CallbackAdapterOptions) => Promise<RunningApp>,
): void {
  describe(`${framework} adapter over real HTTP`, () => {
    const behaviour: Behaviour = { calls: [], fail: false };
    let app: RunningApp;
    let handlerErrorStatus = 500;

    before(async () => {
      app = await start({
        key: [KEY, "RotatedOutKey"],
        onEvent: (event) => {
          behaviour.calls.push(event);
          if (behaviour.fail) throw new Error("handler failed on purpose");
        },
        onHandlerError: () => handlerErrorStatus,
      });
    });
    after(() => app.close());

    const reset = () => {
      behaviour.calls = [];
      behaviour.fail = false;
      handlerErrorStatus = 500;
    };

    test("a valid callback: handler called once, 200 {code:0}", async () => {
      reset();
      const reply = await post(app.url, signedBody(nowSeconds() + 600));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { code: 0 });
      assert.equal(behaviour.calls.length, 1);
      assert.equal(behaviour.calls[0]?.event_type, 1);
    });

    test("signed with a key in rotation: 200", async () => {
      reset();
      const reply = await post(app.url, signedBody(nowSeconds() + 600, "RotatedOutKey"));
      assert.equal(reply.status, 200);
      assert.equal(behaviour.calls.length, 1);
    });

    test("OnAir's own request (webhook headers) is accepted", async () => {
      reset();
      const request = createCallbackRequest({
        body: sample("interruption-2023"),
        keys: [KEY],
        webhookId: "msg_adapter",
        nowMs: Date.now(),
      });
      const response = await fetch(app.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
      });
      assert.equal(response.status, 200);
      assert.equal(behaviour.calls[0]?.event_type, 0);
    });

    const refusals: [string, () => { body: string; type?: string }, number, string][] = [
      [
        "tampered sign",
        () => ({ body: signedBody(nowSeconds() + 600).replace(/"sign":"./, '"sign":"Z') }),
        401,
        "ONAIR_ERR_CALLBACK_BAD_SIGN",
      ],
      [
        "expired t",
        () => ({ body: signedBody(nowSeconds() - 3600) }),
        401,
        "ONAIR_ERR_CALLBACK_EXPIRED",
      ],
      [
        "malformed JSON",
        () => ({ body: '{"event_type":1,"sign":' }),
        400,
        "ONAIR_ERR_CALLBACK_NOT_JSON",
      ],
      [
        "form-encoded body",
        () => ({ body: "event_type=1&t=1&sign=x", type: "application/x-www-form-urlencoded" }),
        415,
        "ONAIR_ERR_CALLBACK_WRONG_CONTENT_TYPE",
      ],
      [
        "a body over 1 MiB",
        () => ({
          body: signedBody(nowSeconds() + 600).replace("{", `{"pad":"${"x".repeat(1024 * 1024)}",`),
        }),
        413,
        "ONAIR_ERR_CALLBACK_BODY_TOO_LARGE",
      ],
    ];
    for (const [what, make, status, code] of refusals) {
      test(`${what}: ${status} ${code}, handler not called`, async () => {
        reset();
        const { body, type } = make();
        const reply = await post(app.url, body, type);
        assert.equal(reply.status, status);
        assert.equal(reply.json.error?.code, code);
        assert.equal(behaviour.calls.length, 0);
      });
    }

    test("the handler throws: 500 by default so the sender retries", async () => {
      reset();
      behaviour.fail = true;
      const reply = await post(app.url, signedBody(nowSeconds() + 600));
      assert.equal(reply.status, 500);
      assert.equal(reply.json.error?.code, "ONAIR_ERR_CALLBACK_HANDLER_FAILED");
      assert.equal(behaviour.calls.length, 1);
    });

    test("the handler throws with onHandlerError configured: its status", async () => {
      reset();
      behaviour.fail = true;
      handlerErrorStatus = 503;
      assert.equal((await post(app.url, signedBody(nowSeconds() + 600))).status, 503);
      handlerErrorStatus = 200;
      assert.equal((await post(app.url, signedBody(nowSeconds() + 600))).status, 200);
    });
  });
}
