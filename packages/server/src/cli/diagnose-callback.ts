import {
  CALLBACK_VALIDITY_SECONDS,
  type CallbackEvent,
  CallbackVerificationError,
  CLOCK_SKEW_TOLERANCE_SECONDS,
  computeSign,
  DEFAULT_MAX_BODY_BYTES,
  getHeader,
  hasValidWebhookSignature,
  isValidSign,
  parseEvent,
  type VerificationErrorCode,
  verify,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "@onair/callbacks";

/** One reason a saved callback would be refused, with the verifier's stable code. */
export interface Problem {
  code: VerificationErrorCode;
  message: string;
}

export type Diagnosis =
  | { valid: true; event: CallbackEvent; expiresInSeconds: number; webhookSignature: boolean }
  | { valid: false; problems: Problem[] };

const problem = (code: VerificationErrorCode, detail?: string): Problem => ({
  code,
  message: new CallbackVerificationError(code, detail).message,
});

/**
 * Checks a saved body the way a receiver would. `verify()` decides validity; when it refuses, the
 * checks are repeated one by one so that every independent problem is reported, not just the
 * first (a body can have a wrong sign and an expired `t`).
 */
export function diagnoseCallback(input: {
  body: Buffer;
  headers: Readonly<Record<string, string>>;
  key: string;
  nowMs: number;
}): Diagnosis {
  const { body, headers, key } = input;
  const nowSeconds = Math.floor(input.nowMs / 1000);
  try {
    const event = verify(body, headers, { key, now: () => input.nowMs });
    const record = JSON.parse(body.toString("utf8")) as { t: number | string };
    return {
      valid: true,
      event,
      expiresInSeconds: Number(record.t) - nowSeconds,
      webhookSignature: getHeader(headers, WEBHOOK_SIGNATURE_HEADER) !== undefined,
    };
  } catch (err) {
    if (!(err instanceof CallbackVerificationError)) throw err;
    const problems = explain(input, nowSeconds);
    return {
      valid: false,
      problems: problems.length > 0 ? problems : [{ code: err.code, message: err.message }],
    };
  }
}

function explain(
  input: { body: Buffer; headers: Readonly<Record<string, string>>; key: string },
  nowSeconds: number,
): Problem[] {
  const { body, headers, key } = input;
  const problems: Problem[] = [];
  const contentType = getHeader(headers, "content-type");
  const mediaType = contentType?.split(";")[0]?.trim() ?? "";
  if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json$/i.test(mediaType))
    problems.push(
      problem("ONAIR_ERR_CALLBACK_WRONG_CONTENT_TYPE", `got ${mediaType || "an empty type"}`),
    );
  if (body.length > DEFAULT_MAX_BODY_BYTES)
    return [...problems, problem("ONAIR_ERR_CALLBACK_BODY_TOO_LARGE", `${body.length} bytes`)];

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (err) {
    const detail = err instanceof Error ? err.message : "not UTF-8";
    return [...problems, problem("ONAIR_ERR_CALLBACK_NOT_JSON", detail)];
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return [...problems, problem("ONAIR_ERR_CALLBACK_INVALID_PAYLOAD", "not a JSON object")];
  const record = json as Record<string, unknown>;

  const t =
    typeof record.t === "number" || (typeof record.t === "string" && /^\d+$/.test(record.t))
      ? String(record.t)
      : undefined;
  const sign = typeof record.sign === "string" ? record.sign : undefined;
  if (t === undefined || sign === undefined) {
    const missing = [
      record.sign === undefined ? "no sign" : "",
      record.t === undefined ? "no t" : "",
    ];
    if (record.t !== undefined && t === undefined) missing.push("t is not an integer");
    problems.push(problem("ONAIR_ERR_CALLBACK_MISSING_SIGN", missing.filter(Boolean).join(", ")));
  } else {
    if (!isValidSign(key, t, sign))
      problems.push(
        problem(
          "ONAIR_ERR_CALLBACK_BAD_SIGN",
          `sign ${sign} is not md5(key + "${t}") = ${computeSign(key, t)} (another key, or t edited?)`,
        ),
      );
    const expiry = Number(t);
    if (expiry < nowSeconds - CLOCK_SKEW_TOLERANCE_SECONDS)
      problems.push(
        problem(
          "ONAIR_ERR_CALLBACK_EXPIRED",
          `t=${t} (${new Date(expiry * 1000).toISOString()}) is ${nowSeconds - expiry} s in the past; --at checks as of another time`,
        ),
      );
    if (expiry > nowSeconds + CALLBACK_VALIDITY_SECONDS + CLOCK_SKEW_TOLERANCE_SECONDS)
      problems.push(
        problem("ONAIR_ERR_CALLBACK_T_TOO_FAR", `t=${t} is ${expiry - nowSeconds} s ahead`),
      );
  }

  const signature = getHeader(headers, WEBHOOK_SIGNATURE_HEADER);
  if (signature !== undefined) {
    const id = getHeader(headers, WEBHOOK_ID_HEADER);
    const timestamp = getHeader(headers, WEBHOOK_TIMESTAMP_HEADER);
    if (id === undefined || timestamp === undefined) {
      problems.push(
        problem(
          "ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE",
          "webhook-id or webhook-timestamp is missing",
        ),
      );
    } else if (!hasValidWebhookSignature({ id, timestamp, header: signature, body, keys: [key] })) {
      // Editors and `echo` add a final newline, which changes the signed bytes.
      const hint =
        body.at(-1) === 0x0a ? "; the file ends with a newline, was it added when saving?" : "";
      problems.push(
        problem(
          "ONAIR_ERR_CALLBACK_BAD_WEBHOOK_SIGNATURE",
          `HMAC of id.timestamp.body differs${hint}`,
        ),
      );
    }
  }

  try {
    parseEvent(record);
  } catch (err) {
    if (err instanceof CallbackVerificationError)
      problems.push({ code: err.code, message: err.message });
    else throw err;
  }
  return problems;
}
