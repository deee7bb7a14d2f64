import assert from "node:assert/strict";

/**
 * The `{ error: { code, message } }` body of a plain HTTP route's error reply (docs/errors.md),
 * asserting it has exactly that shape.
 */
export async function readErrorBody(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
  assert.deepEqual(Object.keys(body), ["error"], JSON.stringify(body));
  assert.deepEqual(Object.keys(body.error ?? {}), ["code", "message"], JSON.stringify(body));
  const { code, message } = body.error as { code: unknown; message: unknown };
  assert.equal(typeof code, "string");
  assert.equal(typeof message, "string");
  return { code: code as string, message: message as string };
}
