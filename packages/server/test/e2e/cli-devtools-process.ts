import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

/** Helpers of cli-devtools.test.ts: the `onair` binary as a user runs it, and a tiny app. */

const bin = fileURLToPath(new URL("../../../bin/onair.js", import.meta.url));

/** The environment without anything that would change the CLI's output. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ["ONAIR_CALLBACK_KEY", "NO_COLOR", "FORCE_COLOR"])
    if (!(name in extra)) delete env[name];
  return env;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `onair …` to completion (killed after `timeoutMs`), optionally feeding stdin. */
export function onair(
  args: string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: cleanEnv(options.env ?? {}),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A running `onair listen`, its URL and everything it has printed. */
export interface Listener {
  url: string;
  output(): string;
  /** Resolves once the output matches, or rejects with the output so far after `timeoutMs`. */
  waitFor(test: (output: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

/** Starts `onair listen --port 0 …` and reads the URL from its first line. */
export async function startListener(args: string[]): Promise<Listener> {
  const child: ChildProcess = spawn(process.execPath, [bin, "listen", "--port", "0", ...args], {
    env: cleanEnv({}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  const waitFor = (test: (output: string) => boolean, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!test(out)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(out);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting; listen printed:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const first = await Promise.race([
    waitFor((o) => o.includes("\n")),
    exited.then((code) => {
      throw new Error(`onair listen exited with ${code}: ${err}`);
    }),
  ]);
  const match = /(?:Listening on |"listening":")(http:\/\/[\d.]+:\d+)/.exec(first);
  if (!match?.[1]) throw new Error(`no URL in the first line: ${first}`);
  return {
    url: match[1],
    output: () => out,
    waitFor,
    stop: async () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

/** One request the app received. */
export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** The developer's app: answers each request with the next status of `statuses` (the last repeats). */
export async function startApp(
  statuses: number[],
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ body, headers: req.headers });
      const status = statuses[Math.min(received.length, statuses.length) - 1] ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? '{"code":0}' : `{"error":"app says ${status}"}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
