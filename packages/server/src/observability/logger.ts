import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";

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
  "tokenSecret",
];

/**
 * The server's logger, with keys, secrets and signatures redacted: JSON lines for a collector,
 * or, when stdout is a terminal (and no destination is given), pino-pretty's one coloured line
 * per record in local time, for a person watching `npm start`.
 */
export function createLogger(options: {
  level: string;
  destination?: DestinationStream;
  pretty?: boolean;
}): Logger {
  const paths = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  const human = options.destination === undefined && (options.pretty ?? process.stdout.isTTY);
  return pino(
    { level: options.level, redact: { paths, censor: "[redacted]" } },
    options.destination ??
      (human
        ? pretty({
            sync: true,
            colorize: true,
            translateTime: "SYS:HH:MM:ss",
            ignore: "pid,hostname",
          })
        : pino.destination({ dest: 1, sync: true })),
  );
}
