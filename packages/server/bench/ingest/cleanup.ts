/**
 * Synchronous cleanups (kill child trees, remove temp dirs) that run however the benchmark ends:
 * normal exit, an uncaught error, or Ctrl-C. Synchronous because "exit" handlers cannot await.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: one failing cleanup must not skip the others
    }
  }
  cleanups.clear();
}

/** Registers `cleanup`; the returned function runs it now (once) and unregisters it. */
export function onCleanup(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on("exit", runAll);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => {
        runAll();
        process.exit(130);
      });
    }
  }
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup)) cleanup();
  };
}
