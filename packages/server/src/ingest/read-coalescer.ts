import type { Socket } from "node:net";

/** The libuv stream handle under a net.Socket: reading can be stopped and restarted on it. */
interface ReadableHandle {
  readStart(): number;
  readStop(): number;
}

function handleOf(socket: Socket): ReadableHandle | null {
  const handle = (socket as unknown as { _handle?: Partial<ReadableHandle> | null })._handle;
  return handle && typeof handle.readStart === "function" && typeof handle.readStop === "function"
    ? (handle as ReadableHandle)
    : null;
}

/**
 * Read coalescing for publisher sockets. An encoder sends every audio and video frame as its own
 * TCP segment, so a socket read as data arrives costs a wake-up, a read syscall and a trip through
 * Node's stream machinery per frame (about 70 a second per stream) — half of the ingest's CPU.
 * After each read the socket's libuv handle stops reading; one shared timer restarts every
 * stopped handle each `intervalMs`, and one read then takes everything that arrived meanwhile
 * (the kernel's receive buffer holds it). Media is delayed by at most `intervalMs`; a close or a
 * reset is seen at most that much later.
 *
 * This works on the handle, below Node's public API, because `socket.pause()` does not stop the
 * reads (it only buffers). Where the handle lacks readStart/readStop the socket is read as usual.
 */
export class ReadCoalescer {
  private readonly stopped = new Set<ReadableHandle>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.restartAll(), intervalMs);
    this.timer.unref();
  }

  /** Call after each 'data' event of `socket`. */
  afterRead(socket: Socket): void {
    if (socket.destroyed) return;
    const handle = handleOf(socket);
    if (!handle || this.stopped.has(handle)) return;
    handle.readStop();
    this.stopped.add(handle);
  }

  /** Reads the socket as usual again (it is closing, or the server stops). */
  release(socket: Socket): void {
    const handle = handleOf(socket);
    if (handle && this.stopped.delete(handle) && !socket.destroyed) handle.readStart();
  }

  private restartAll(): void {
    for (const handle of this.stopped) handle.readStart();
    this.stopped.clear();
  }

  close(): void {
    clearInterval(this.timer);
    this.restartAll();
  }
}
