import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** One request as the receiver process saw it. */
export interface Received {
  at: number;
  webhookId?: string;
  verified: boolean;
  error?: string;
  reply: string;
  userAgent?: string;
  event?: Record<string, unknown>;
}

/** A receiver process on a loopback port; `received` fills as callbacks arrive. */
export interface ReceiverProcess {
  url: string;
  received: Received[];
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  stop(): Promise<void>;
}

export async function startReceiver(options: {
  key: string;
  script?: string;
}): Promise<ReceiverProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [fileURLToPath(new URL("./receiver-process.js", import.meta.url))],
    {
      env: { ...process.env, RECEIVER_KEY: options.key, RECEIVER_SCRIPT: options.script ?? "200" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (text) => {
      const line = JSON.parse(text) as Received & { listening?: number };
      if (line.listening) return resolve(line.listening);
      received.push(line);
      for (const wake of waiters) wake();
    });
  });
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    received,
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`waited ${timeoutMs} ms for ${count} callbacks, got ${received.length}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      child.kill();
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
