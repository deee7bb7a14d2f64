import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { API_VERSION } from "../api/api-route.js";
import {
  canonicalRequest,
  sha256Hex,
  stringToSign,
  TC3_ALGORITHM,
  tc3Signature,
  utcDate,
} from "../api/tc3.js";
import { OnAirError } from "../errors.js";

/** Where the CLI finds a running OnAir and how it signs in. */
export interface ApiTarget {
  url: string;
  secretId: string;
  secretKey: string;
}

/**
 * The target: `--url` (or ONAIR_URL, default http://127.0.0.1:8080) and the credentials from
 * ONAIR_SECRET_ID/ONAIR_SECRET_KEY, else from `<data dir>/credentials.json` written on first start.
 */
export async function resolveTarget(options: {
  url?: string | undefined;
  dataDir?: string | undefined;
}): Promise<ApiTarget> {
  const url = options.url ?? process.env.ONAIR_URL ?? "http://127.0.0.1:8080";
  const secretId = process.env.ONAIR_SECRET_ID;
  const secretKey = process.env.ONAIR_SECRET_KEY;
  if (secretId && secretKey) return { url, secretId, secretKey };
  const file = join(options.dataDir ?? process.env.ONAIR_DATA_DIR ?? "./data", "credentials.json");
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as {
      secretId?: string;
      secretKey?: string;
    };
    if (saved.secretId && saved.secretKey)
      return { url, secretId: saved.secretId, secretKey: saved.secretKey };
  } catch {
    // Reported below with what to do.
  }
  throw new OnAirError(
    "ONAIR_ERR_CONFIG",
    `no management credentials: set ONAIR_SECRET_ID and ONAIR_SECRET_KEY, or pass --data-dir where ${file.replace(/credentials\.json$/, "")} holds credentials.json`,
  );
}

/**
 * Calls one management API action, TC3-signed like the official SDK, and returns its `Response`
 * fields. A Tencent error becomes an `OnAirError` carrying the Tencent code.
 */
export async function callAction(
  target: ApiTarget,
  action: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const body = JSON.stringify(params);
  const host = new URL(target.url).host;
  const timestamp = Math.floor(Date.now() / 1000);
  const date = utcDate(timestamp);
  const service = "live";
  const request = canonicalRequest({
    method: "POST",
    query: "",
    headers: [
      ["content-type", "application/json"],
      ["host", host.toLowerCase()],
    ],
    payloadHash: sha256Hex(body),
  });
  const signature = tc3Signature({
    secretKey: target.secretKey,
    date,
    service,
    stringToSign: stringToSign({ timestamp, date, service, canonicalRequest: request }),
  });
  let response: Response;
  try {
    response = await fetch(new URL("/", target.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-tc-action": action,
        "x-tc-version": API_VERSION,
        "x-tc-timestamp": String(timestamp),
        authorization: `${TC3_ALGORITHM} Credential=${target.secretId}/${date}/${service}/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`,
      },
      body,
    });
  } catch (cause) {
    throw new OnAirError(
      "ONAIR_ERR_INTERNAL",
      `cannot reach OnAir at ${target.url} (is \`onair start\` running?)`,
      { cause },
    );
  }
  const reply = (await response.json()) as {
    Response?: Record<string, unknown> & { Error?: { Code: string; Message: string } };
  };
  const fields = reply.Response ?? {};
  if (fields.Error)
    throw new OnAirError(
      "ONAIR_ERR_INVALID_PARAMETER",
      `${fields.Error.Code}: ${fields.Error.Message}`,
      { tencentCode: fields.Error.Code },
    );
  return fields;
}
