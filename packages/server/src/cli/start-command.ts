import { startOnAir } from "../app.js";
import { loadConfig } from "../config/load-config.js";
import { startBanner } from "./start-banner.js";

/** Flags of `onair start`, as commander parses them. */
export interface StartFlags {
  httpPort?: number;
  httpHost?: string;
  rtmpPort?: number;
  rtmpHost?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  logLevel?: string;
}

/** `onair start`: runs until SIGINT/SIGTERM, then finishes in-flight deliveries and exits. */
export async function startCommand(flags: StartFlags): Promise<void> {
  const { config: file, ...rest } = flags;
  const config = loadConfig({ env: process.env, file, flags: rest });
  // Everything OnAir and its ffmpeg children create (database, credentials, recordings,
  // screenshots) is owner-only; secureDataDir tightens what older versions left readable.
  process.umask(0o077);
  const onair = await startOnAir(config);
  for (const line of startBanner(config, onair)) process.stderr.write(`${line}\n`);
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      process.off("SIGINT", shutdown);
      process.off("SIGTERM", shutdown);
      onair.stop().then(resolve, resolve);
    };
    process.on("SIGINT", shutdown);
    process.on("SIGTERM", shutdown);
  });
}
