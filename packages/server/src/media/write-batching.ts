/** A writable that can hold its writes and flush them as one (net.Socket, http.ServerResponse). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/**
 * Holds `stream`'s writes until the current turn of the event loop is done, then flushes them
 * together: one live read fans out several tags to every viewer, and each viewer's tags of that
 * read then leave in one writev instead of one system call per tag.
 */
export function batchWritesThisTick(stream: Corkable): void {
  if (corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}
