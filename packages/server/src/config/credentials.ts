import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Management credentials for TC3-HMAC-SHA256. */
export interface Credentials {
  secretId: string;
  secretKey: string;
}

/**
 * Resolves the management credentials: the configured ones, else those generated on an earlier
 * first start (`<dataDir>/credentials.json`, mode 0600), else new ones, written there. `created`
 * tells the caller to print them once. No default secret ever ships.
 */
export async function resolveCredentials(options: {
  dataDir: string;
  secretId?: string | undefined;
  secretKey?: string | undefined;
}): Promise<Credentials & { created: boolean; source: "config" | "file" | "generated" }> {
  if (options.secretId && options.secretKey) {
    return {
      secretId: options.secretId,
      secretKey: options.secretKey,
      created: false,
      source: "config",
    };
  }
  const file = join(options.dataDir, "credentials.json");
  try {
    const saved = JSON.parse(await readFile(file, "utf8")) as Partial<Credentials>;
    if (typeof saved.secretId === "string" && typeof saved.secretKey === "string") {
      return {
        secretId: saved.secretId,
        secretKey: saved.secretKey,
        created: false,
        source: "file",
      };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const generated = {
    secretId: `AKID${randomBytes(16).toString("hex")}`,
    secretKey: randomBytes(24).toString("base64url"),
  };
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { ...generated, created: true, source: "generated" };
}
