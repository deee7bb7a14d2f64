import { readFileSync } from "node:fs";
import { currentRetryPreset, isDeprecatedRetryPreset } from "../domain/retry-policy.js";
import { OnAirError } from "../errors.js";
import { warnDeprecatedRetryPreset } from "./deprecation.js";
import { configSchema, type OnAirConfig } from "./schema.js";

/** Environment variables OnAir reads, and the config key each one sets. */
export const ENV_KEYS: Readonly<Record<string, { key: string; type: "string" | "int" | "bool" }>> =
  {
    ONAIR_HTTP_PORT: { key: "httpPort", type: "int" },
    ONAIR_HTTP_HOST: { key: "httpHost", type: "string" },
    ONAIR_RTMP_PORT: { key: "rtmpPort", type: "int" },
    ONAIR_RTMP_HOST: { key: "rtmpHost", type: "string" },
    ONAIR_DATA_DIR: { key: "dataDir", type: "string" },
    ONAIR_DATABASE_URL: { key: "databaseUrl", type: "string" },
    ONAIR_SECRET_ID: { key: "secretId", type: "string" },
    ONAIR_SECRET_KEY: { key: "secretKey", type: "string" },
    ONAIR_INTAKE_TOKEN: { key: "intakeToken", type: "string" },
    ONAIR_HOOK_TOKEN: { key: "hookToken", type: "string" },
    ONAIR_CALLBACK_ALLOW_PRIVATE: { key: "callbackAllowPrivate", type: "bool" },
    ONAIR_PUBLIC_URL: { key: "publicUrl", type: "string" },
    ONAIR_APPID: { key: "appid", type: "int" },
    ONAIR_NODE_ID: { key: "nodeId", type: "string" },
    ONAIR_LOG_LEVEL: { key: "logLevel", type: "string" },
    ONAIR_RETRY_PRESET: { key: "retryPreset", type: "string" },
  };

type Layer = Record<string, unknown>;

function fromEnv(env: Readonly<Record<string, string | undefined>>, problems: string[]): Layer {
  const layer: Layer = {};
  for (const [name, { key, type }] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    if (type === "int") {
      if (!/^-?\d+$/.test(raw.trim())) problems.push(`${name}: "${raw}" is not an integer`);
      else layer[key] = Number(raw);
    } else if (type === "bool") {
      const value = raw.trim().toLowerCase();
      if (["true", "1", "yes"].includes(value)) layer[key] = true;
      else if (["false", "0", "no"].includes(value)) layer[key] = false;
      else problems.push(`${name}: "${raw}" is not true or false`);
    } else {
      layer[key] = raw;
    }
  }
  return layer;
}

function fromFile(path: string, problems: string[]): Layer {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Layer;
    problems.push(`${path}: must hold a JSON object`);
  } catch (err) {
    problems.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {};
}

function merge(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] =
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      typeof prev === "object" &&
      prev
        ? merge(prev as Layer, value as Layer)
        : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds the configuration once: environment, then the JSON file named by `file` (or
 * `ONAIR_CONFIG`), then `flags`, each overriding the one before; validated by the schema with
 * unknown keys rejected. Every problem is reported in one `ONAIR_ERR_CONFIG` error, one per line.
 * The result is deeply frozen.
 *
 * @example
 * const config = loadConfig({ env: process.env, flags: { httpPort: 9000 } });
 */
export function loadConfig(options: {
  env?: Readonly<Record<string, string | undefined>>;
  file?: string | undefined;
  flags?: Layer;
}): OnAirConfig {
  const problems: string[] = [];
  const env = options.env ?? {};
  let layered = fromEnv(env, problems);
  const file = options.file ?? env.ONAIR_CONFIG;
  if (file) layered = merge(layered, fromFile(file, problems));
  layered = merge(layered, options.flags ?? {});
  const result = configSchema.safeParse(layered);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join(".") || "(config)";
      problems.push(`${path}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) {
    throw new OnAirError("ONAIR_ERR_CONFIG", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  warnOfOldNames(layered);
  return deepFreeze(result.data);
}

function warnOfOldNames(layered: Layer): void {
  const preset = layered.retryPreset;
  if (isDeprecatedRetryPreset(preset))
    warnDeprecatedRetryPreset(preset, currentRetryPreset(preset), "retryPreset");
}
