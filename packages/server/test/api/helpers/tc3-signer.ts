import { createHash, createHmac } from "node:crypto";

/**
 * An independent TC3-HMAC-SHA256 signer for tests, written from Tencent's published steps
 * (Tencent 267/30852) without the code under test, so a shared mistake cannot hide.
 */
export interface SignInput {
  secretId: string;
  secretKey: string;
  service: string;
  timestamp: number;
  method?: string;
  query?: string;
  /** Signed headers, names lower-case, values exactly as they go into the canonical request. */
  signed: Record<string, string>;
  body: string | Buffer;
  /** Override the credential date (default: the UTC date of the timestamp). */
  date?: string;
}

export function signTc3(input: SignInput): string {
  const date = input.date ?? new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const names = Object.keys(input.signed).sort();
  const canonical = [
    input.method ?? "POST",
    "/",
    input.query ?? "",
    names.map((n) => `${n}:${input.signed[n]}\n`).join(""),
    names.join(";"),
    createHash("sha256").update(input.body).digest("hex"),
  ].join("\n");
  const scope = `${date}/${input.service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${input.timestamp}\n${scope}\n${createHash("sha256").update(canonical).digest("hex")}`;
  const kDate = createHmac("sha256", `TC3${input.secretKey}`).update(date).digest();
  const kService = createHmac("sha256", kDate).update(input.service).digest();
  const kSigning = createHmac("sha256", kService).update("tc3_request").digest();
  const signature = createHmac("sha256", kSigning).update(toSign).digest("hex");
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
}
