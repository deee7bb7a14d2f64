import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The `onair` CLI of this build. */
export const ONAIR_BIN = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));

export interface StartedOnAir {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** SIGTERM, then the exit. */
  stop(): Promise<void>;
}

/**
 * `onair start` on `dataDir`, every port on loopback and chosen by the system, as a spawned
 * process with stdout and stderr pipes; resolves once `ready` holds for what it has printed.
 */
export async function startOnAirProcess(
  dataDir: string,
  options: {
    env?: NodeJS.ProcessEnv;
    ready: (stdout: string, stderr: string) => boolean;
    timeoutMs?: number;
  },
): Promise<StartedOnAir> {
  const args = ["start", "--http-port", "0", "--http-host", "127.0.0.1", "--rtmp-port", "0"];
  args.push("--rtmp-host", "127.0.0.1", "--data-dir", dataDir);
  const child = spawn(process.execPath, [ONAIR_BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  const started: StartedOnAir = {
    child,
    stdout: "",
    stderr: "",
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
  const timeoutMs = options.timeoutMs ?? 20_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`onair start not ready in ${timeoutMs} ms: ${started.stderr}`));
    }, timeoutMs);
    const check = () => {
      if (!options.ready(started.stdout, started.stderr)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      started.stdout += chunk.toString();
      check();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      started.stderr += chunk.toString();
      check();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`onair start exited with ${code}: ${started.stderr}`));
    });
  });
  return started;
}
