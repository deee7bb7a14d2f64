/** Runs onair-target.js as a child and waits for its ready line. */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort, spawnTarget, type Target, tempDir } from "./target.js";

/**
 * `variant` runs OnAir with some `ingest` settings changed (INGEST_ONAIR_VARIANTS), under its own
 * target name, so two configurations compare in one run.
 */
export async function startOnAirTarget(
  callbackUrl: string,
  variant: { name: string; ingest: Record<string, number | string | boolean> } = {
    name: "onair",
    ingest: {},
  },
  /** Forward rules of domain 127.0.0.1 (docs/relay.md) the node starts with. */
  forwards: readonly { appName: string; targetUrl: string }[] = [],
): Promise<Target> {
  // `entry=<path>` runs another build's onair-target.js (a checkout of the parent commit, built)
  // beside this one: a before and after in one run.
  const { nodeFlags, entry: otherEntry, ...ingest } = variant.ingest;
  const entry =
    typeof otherEntry === "string"
      ? otherEntry
      : fileURLToPath(new URL("./onair-target.js", import.meta.url));
  const dir = tempDir("onair-bench-onair-");
  // INGEST_CPU_PROF=<dir> writes a V8 CPU profile of the OnAir process (open it in Chrome DevTools).
  const profile = process.env.INGEST_CPU_PROF;
  // `nodeFlags=none` runs Node without the flags the onair command starts it with.
  if (nodeFlags !== undefined && nodeFlags !== "none") {
    throw new Error(`nodeFlags takes only "none" (got ${String(nodeFlags)})`);
  }
  const args = [
    ...(nodeFlags === "none" ? [] : ONAIR_NODE_FLAGS),
    ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
    entry,
  ];
  const server = spawnTarget(process.execPath, args, {
    ...process.env,
    ONAIR_BENCH_RTMP_PORT: String(await freePort()),
    ONAIR_BENCH_DATA_DIR: dir.path,
    ONAIR_BENCH_CALLBACK_URL: callbackUrl,
    ONAIR_BENCH_INGEST: JSON.stringify(ingest),
    ONAIR_BENCH_FORWARDS: JSON.stringify(forwards),
  });
  let ports: { rtmpPort: number; httpPort: number };
  try {
    ports = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no ready line within 30 s")), 30_000);
      server.child.once("close", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code ?? signal}) before it was ready`));
      });
      createInterface({ input: server.child.stdout! }).on("line", (line) => {
        const message = parseLine(line);
        if (message?.error) {
          clearTimeout(timer);
          reject(new Error(message.error));
        } else if (message?.ready && typeof message.rtmpPort === "number") {
          clearTimeout(timer);
          resolve({ rtmpPort: message.rtmpPort, httpPort: message.httpPort ?? 0 });
        }
      });
    });
  } catch (error) {
    await server.stop();
    dir.remove();
    throw new Error(`onair: ${(error as Error).message}\n${server.output()}`);
  }
  return {
    name: variant.name,
    pid: server.child.pid!,
    ...ports,
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}

/** The node flags of the `onair` command (its first line), so OnAir is measured as it ships. */
const ONAIR_NODE_FLAGS = (
  readFileSync(fileURLToPath(new URL("../../../bin/onair.js", import.meta.url)), "utf8").split(
    "\n",
  )[0] ?? ""
)
  .replace(/^#!\/usr\/bin\/env -S node/, "")
  .split(" ")
  .filter((flag) => flag.startsWith("--"));

interface ReadyLine {
  ready?: boolean;
  rtmpPort?: number;
  httpPort?: number;
  error?: string;
}

/** Log lines share stdout with the ready line: anything that is not ours is ignored. */
function parseLine(line: string): ReadyLine | null {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null || "level" in value) return null;
    return value as ReadyLine;
  } catch {
    return null;
  }
}
