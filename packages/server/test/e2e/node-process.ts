import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { waitFor } from "../helpers/wait-for.js";

const node = fileURLToPath(new URL("./crash-node.js", import.meta.url));

/** Starts crash-node.js; `acked` collects the delivery ids of events whose emit resolved. */
export function startNode(
  env: Record<string, string>,
  acked: Set<string>,
): { child: ChildProcess; started: Promise<void>; emitted: Promise<void> } {
  const child = spawn(process.execPath, [node], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let onStarted!: () => void;
  let onCommitted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const emitted = new Promise<void>((resolve) => (onCommitted = resolve));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line === "started") onStarted();
    else if (line === "emitted all") onCommitted();
    else if (line.startsWith("acked "))
      for (const id of line.slice(6).split(" ")) if (id) acked.add(id);
  });
  return { child, started, emitted };
}

/** Waits until every acknowledged delivery id reached the receiver; returns the unique ids seen. */
export async function waitUntilAllDelivered(
  acked: ReadonlySet<string>,
  received: readonly { webhookId?: string }[],
  timeoutMs = 120_000,
): Promise<Set<string | undefined>> {
  return waitFor(
    `all ${acked.size} acknowledged events delivered`,
    () => {
      const seen = new Set(received.map((r) => r.webhookId));
      return [...acked].every((id) => seen.has(id)) ? seen : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
