import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/observability/logger.js";

test("callback keys, API secrets, push-auth keys and signatures never reach the log", () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: "info", destination });
  const secret = (n: number) => `SECRET${n}value`;
  logger.info({ callbackKey: secret(1), template: { CallbackKey: secret(2) } }, "template");
  logger.info({ secretKey: secret(3), req: { headers: { authorization: secret(4) } } }, "request");
  logger.info(
    {
      body: { sign: secret(5), t: 1 },
      domain: { pushAuth: { mainKey: secret(6), backupKey: secret(7) } },
    },
    "event",
  );
  logger.warn({ params: { MasterAuthKey: secret(8), BackupAuthKey: secret(9) } }, "api");
  const output = lines.join("");
  for (let n = 1; n <= 9; n++)
    assert.ok(!output.includes(secret(n)), `secret ${n} leaked: ${output}`);
  assert.equal((output.match(/\[redacted\]/g) ?? []).length, 9);
  assert.ok(output.includes('"t":1'), "the rest of the record is kept");
});
