/**
 * CPU time and resident memory of a process and all its descendants, read from /proc (Linux),
 * so a target is charged for its workers (nginx) as well as its main process.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ on Linux: /proc reports CPU times in these ticks. */
const CLK_TCK = 100;

interface StatLine {
  ppid: number;
  /** utime + stime, in ticks. */
  ticks: number;
}

function readStat(pid: number): StatLine | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // the process exited between listing and reading
  }
}

/** `root` and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(pid);
    children.set(stat.ppid, siblings);
  }
  const tree: number[] = [];
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * Whether the kernel keeps per-thread run times: the file exists and counts this process's own
 * time (with sched_info off it reads "0 0 0").
 */
const HAS_SCHEDSTAT = (() => {
  try {
    const text = readFileSync("/proc/self/schedstat", "utf8");
    return Number(text.slice(0, text.indexOf(" "))) > 0;
  } catch {
    return false;
  }
})();

/**
 * CPU seconds consumed so far by the tree's live processes: each thread's run time in ns from
 * /proc/<pid>/task/<tid>/schedstat. The utime + stime of /proc/<pid>/stat (used only where the
 * kernel keeps no schedstat) come in 10 ms ticks, each reading truncated to a tick, which over a
 * window of 40–80 ms of nginx CPU is an error of a quarter. One source for every reading, so a
 * window never subtracts one from the other. A thread that exits takes its time with it (Node's
 * and nginx's threads live as long as the process).
 */
export function treeCpuSeconds(root: number): number {
  let seconds = 0;
  for (const pid of processTree(root)) {
    seconds += HAS_SCHEDSTAT ? threadsCpuSeconds(pid) : (readStat(pid)?.ticks ?? 0) / CLK_TCK;
  }
  return seconds;
}

function threadsCpuSeconds(pid: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // the process exited after the tree was listed
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
      ns += Number(text.slice(0, text.indexOf(" ")));
    } catch {
      // the thread exited while the tasks were read
    }
  }
  return ns / 1e9;
}

/** Sum of VmRSS over the tree, in bytes (pages shared by master and workers count twice). */
export function treeRssBytes(root: number): number {
  let kib = 0;
  for (const pid of processTree(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (match) kib += Number(match[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kib * 1024;
}

/** SIGKILLs the whole tree, leaves first; synchronous so it can run in an exit handler. */
export function killTree(root: number): void {
  for (const pid of processTree(root).reverse()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
