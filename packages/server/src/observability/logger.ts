import { type DestinationStream, type Logger, pino } from "pino";

/** Field names whose values are never logged, at the top level and one or two levels down. */
const SECRET_FIELDS = [
  "callbackKey",
  "CallbackKey",
  "secretKey",
  "SecretKey",
  "sign",
  "txSecret",
  "authorization",
  "MasterAuthKey",
  "BackupAuthKey",
  "mainKey",
  "backupKey",
];

/** The server's logger: JSON lines, with keys, secrets and signatures redacted. */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const paths = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  return pino(
    { level: options.level, redact: { paths, censor: "[redacted]" } },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
