import { type Logger, pino } from "pino";

/** The server's logger: JSON lines, with keys, secrets and signatures redacted. */
export function createLogger(options: { level: string }): Logger {
  return pino({
    level: options.level,
    redact: {
      paths: [
        "*.callbackKey",
        "*.CallbackKey",
        "*.secretKey",
        "*.sign",
        "*.authorization",
        "*.headers.authorization",
        "*.MasterAuthKey",
        "*.BackupAuthKey",
      ],
      censor: "[redacted]",
    },
  });
}
