import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Management credentials for TC3-HMAC-SHA256. */
export interface Credentials {
  secretId: string;
  secretKey: string;
}

/**
 * Every secret of a node. Each guards one surface, so a leaked hook URL (its token sits in
 * media-server config files) does not hand out the management API:
 * - `secretId`/`secretKey`: the management API (TC3) and the dashboard sign-in;
 * - `intakeToken`: `Authorization: Bearer` of `POST /v1/events`;
 * - `hookToken`: `?token=` / Bearer of the media-server hooks;
 * - `filesSigningKey`: HMAC key of signed `/files/` URLs (never configured, never shown: only
 *   OnAir signs and checks; delete it from credentials.json and restart to rotate, which voids
 *   every URL issued so far).
 */
export interface NodeSecrets extends Credentials {
  intakeToken: string;
  hookToken: string;
  filesSigningKey: string;
}

type Source = "config" | "file" | "generated";

/**
 * Resolves the node's secrets: each configured one, else the one saved on an earlier start
 * (`<dataDir>/credentials.json`, mode 0600), else a new one, saved there. `generated` names what
 * is new, so the caller prints it once. No default secret ever ships.
 */
export async function resolveCredentials(options: {
  dataDir: string;
  secretId?: string | undefined;
  secretKey?: string | undefined;
  intakeToken?: string | undefined;
  hookToken?: string | undefined;
}): Promise<
  NodeSecrets & {
    /** True when a new management pair was generated. */
    created: boolean;
    source: Source;
    /** Names of the secrets generated on this start. */
    generated: (keyof NodeSecrets)[];
  }
> {
  const file = join(options.dataDir, "credentials.json");
  let saved: Partial<Record<keyof NodeSecrets, unknown>> = {};
  try {
    saved = JSON.parse(await readFile(file, "utf8")) as typeof saved;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const generated: (keyof NodeSecrets)[] = [];
  let source: Source;
  let secretId: string;
  let secretKey: string;
  if (options.secretId && options.secretKey) {
    ({ secretId, secretKey } = { secretId: options.secretId, secretKey: options.secretKey });
    source = "config";
  } else if (text(saved.secretId) && text(saved.secretKey)) {
    secretId = text(saved.secretId) as string;
    secretKey = text(saved.secretKey) as string;
    source = "file";
  } else {
    secretId = `AKID${randomBytes(16).toString("hex")}`;
    secretKey = randomBytes(24).toString("base64url");
    generated.push("secretId", "secretKey");
    source = "generated";
  }
  const token = (
    name: "intakeToken" | "hookToken" | "filesSigningKey",
    configured: string | undefined,
  ): string => {
    if (configured) return configured;
    const fromFile = text(saved[name]);
    if (fromFile) return fromFile;
    generated.push(name);
    return randomBytes(24).toString("base64url");
  };
  const intakeToken = token("intakeToken", options.intakeToken);
  const hookToken = token("hookToken", options.hookToken);
  const filesSigningKey = token("filesSigningKey", undefined);

  if (generated.length > 0) {
    // Only generated secrets are written; configured ones stay where the operator put them.
    const next: Record<string, string> = {};
    for (const [key, value] of Object.entries(saved))
      if (typeof value === "string") next[key] = value;
    const all: NodeSecrets = { secretId, secretKey, intakeToken, hookToken, filesSigningKey };
    for (const name of generated) next[name] = all[name];
    await mkdir(options.dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return {
    secretId,
    secretKey,
    intakeToken,
    hookToken,
    filesSigningKey,
    created: source === "generated",
    source,
    generated,
  };
}
