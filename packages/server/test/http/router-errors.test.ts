import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { OnAirError } from "../../src/errors.js";
import { readBody } from "../../src/http/read-body.js";
import { createHttpServer } from "../../src/http/router.js";
import { readErrorBody } from "../helpers/error-body.js";

/** The router's own refusals and a handler's throws all get the one error body (docs/errors.md). */
describe("router error replies", () => {
  const server = createHttpServer({
    logger: pino({ level: "silent" }),
    routes: [
      {
        method: "POST",
        path: "/small",
        handler: async (req, res) => {
          await readBody(req, 8);
          res.end();
        },
      },
      {
        method: "GET",
        path: "/broken",
        handler: async () => {
          throw new Error("a bug with a secret in its message");
        },
      },
      {
        method: "GET",
        path: "/refused",
        handler: async () => {
          throw new OnAirError("ONAIR_ERR_INVALID_PARAMETER", "bad query", {
            cause: new Error("inner"),
          });
        },
      },
    ],
  });
  let base = "";
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: [string, RequestInit, number, string, RegExp][] = [
    ["/nowhere", {}, 404, "ONAIR_ERR_ROUTE_NOT_FOUND", /no route for \/nowhere/],
    ["/small", {}, 405, "ONAIR_ERR_METHOD_NOT_ALLOWED", /GET is not allowed on \/small/],
    ["/small", { method: "POST", body: "x".repeat(64) }, 413, "ONAIR_ERR_REQUEST_TOO_LARGE", /8/],
    ["/broken", {}, 500, "ONAIR_ERR_INTERNAL", /^internal error$/],
    ["/refused", {}, 400, "ONAIR_ERR_INVALID_PARAMETER", /^bad query$/],
  ];
  for (const [path, init, status, code, message] of cases) {
    test(`${init.method ?? "GET"} ${path}: ${status} ${code}`, async () => {
      const res = await fetch(`${base}${path}`, init);
      assert.equal(res.status, status);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const body = await readErrorBody(res);
      assert.equal(body.code, code);
      assert.match(body.message, message);
    });
  }
});
