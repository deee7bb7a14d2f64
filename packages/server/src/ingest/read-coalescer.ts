import type { Socket } from "node:net";
import { READ_BUFFER_BYTES } from "./shared-read-buffer.js";

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

/** A read this long filled the read buffer: it may have left more behind. */
export const FULL_READ_BYTES = READ_BUFFER_BYTES;

/**
 * A socket that delivers this much between two restarts (half an interval) is read as data
 * arrives until its rate falls below it again. Holding more than this in the kernel between two
 * wakes would come close to the initial TCP receive window (about 64 KiB of a 128 KiB buffer),
 * and the window closing is what pushes an encoder back. At 50 ms this is about 7.9 Mbit/s.
 */
export const FAST_BYTES_PER_TICK = 48 * 1024;

/**
 * A socket that carries at least this much per interval (about 650 kbit/s at 100 ms: any video
 * above the smallest sizes) is restarted every half interval; slower ones once an interval. A
 * close of a held socket is seen at its next restart, so a real stream's close waits at most half
 * an interval, and a slow stream, whose reads cost the most per byte, keeps the longer hold.
 */
export const VIDEO_BYTES_PER_INTERVAL = 8 * 1024;

interface Tracked {
  socket: Socket;
  handle: ReadableHandle;
  /** Bytes read since the last tick. */
  bytes: number;
  /** Bytes read since the last whole interval began. */
  intervalBytes: number;
  /** Read as data arrives: the last tick carried at least FAST_BYTES_PER_TICK. */
  fast: boolean;
  /** Restarted every tick: the last interval carried at least VIDEO_BYTES_PER_INTERVAL. */
  everyTick: boolean;
  stopped: boolean;
  /** A stop is scheduled (`holdAfterRead`). */
  stopping: boolean;
}

/**
 * Read coalescing for publisher sockets. An encoder sends every audio and video frame as its own
 * TCP segment, so a socket read as data arrives costs a wake-up, a read syscall and a trip through
 * Node's stream machinery per frame (about 70 a second per stream) — half of the ingest's CPU at
 * low bitrates. After a read, a socket's libuv handle stops reading; one shared timer ticks every
 * half `intervalMs` and restarts the stopped handles, and one read then takes what arrived
 * meanwhile (the kernel's receive buffer holds it). A socket carrying video
 * (VIDEO_BYTES_PER_INTERVAL) is restarted at every tick, a slower one at every other: media is
 * delayed, and a close or a reset seen, at most half an interval (video) or one interval later —
 * at the restart after it, not the one after that (see `holdAfterRead`). Node cannot watch a
 * socket for its end without reading it (docs/scale.md).
 *
 * Coalescing applies only below a byte rate. Above it frames are large, the cost per byte of a
 * read is small, and holding the socket longer would fill the TCP window and push the encoder
 * back. So a socket that delivered FAST_BYTES_PER_TICK since the last tick is read as data
 * arrives, and a read that fills the whole read buffer is never followed by a stop (more is
 * waiting).
 *
 * This works on the handle, below Node's public API, because `socket.pause()` does not stop the
 * reads (it only buffers). Where the handle lacks readStart/readStop the socket is read as usual.
 */
export class ReadCoalescer {
  private readonly tracked = new Map<Socket, Tracked>();
  private readonly timer: NodeJS.Timeout;
  /** Sockets read in this poll phase, to stop after the next one (`holdAfterRead`). */
  private readonly toStop = new Set<Tracked>();
  private stopScheduled = false;
  /** Ticks since the timer started: every other one begins a whole interval. */
  private ticks = 0;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.round(intervalMs / 2)));
    this.timer.unref();
  }

  /** Call after each 'data' event of `socket` with the bytes it delivered. */
  afterRead(socket: Socket, bytes: number): void {
    if (socket.destroyed) return;
    let state = this.tracked.get(socket);
    if (!state) {
      const handle = handleOf(socket);
      if (!handle) return;
      state = {
        socket,
        handle,
        bytes: 0,
        intervalBytes: 0,
        fast: false,
        // Held no longer than half an interval until its first interval has been measured.
        everyTick: true,
        stopped: false,
        stopping: false,
      };
      this.tracked.set(socket, state);
    }
    state.bytes += bytes;
    state.intervalBytes += bytes;
    if (state.fast || state.stopped || state.stopping || bytes >= FULL_READ_BYTES) return;
    if (state.bytes >= FAST_BYTES_PER_TICK) {
      state.fast = true;
      return;
    }
    this.holdAfterRead(state);
  }

  /**
   * Stops reading after one more poll phase of the event loop (two setImmediate hops, shared by
   * every socket read in the same phase, as they are right after a tick). libuv returns from a
   * read that did not fill its buffer without reading again, so a FIN queued behind the data just
   * read (the publisher closed while its socket was held) would otherwise wait for the next
   * restart, one whole interval later. The extra poll reads only what is already there: the end
   * of the stream, or a frame that has just arrived.
   */
  private holdAfterRead(state: Tracked): void {
    state.stopping = true;
    this.toStop.add(state);
    if (this.stopScheduled) return;
    this.stopScheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.stopScheduled = false;
        for (const held of this.toStop) {
          held.stopping = false;
          if (held.fast || !this.tracked.has(held.socket) || held.socket.destroyed) continue;
          held.handle.readStop();
          held.stopped = true;
        }
        this.toStop.clear();
      }),
    );
  }

  /** Reads the socket as usual again and forgets it (it is closing). */
  release(socket: Socket): void {
    const state = this.tracked.get(socket);
    if (!state) return;
    this.tracked.delete(socket);
    if (state.stopped && !socket.destroyed) state.handle.readStart();
  }

  /**
   * The timer's job each half interval (tests step it by hand): restarts the held sockets that
   * carry video, and at the first tick of each interval every held socket.
   */
  tick(): void {
    const wholeInterval = this.ticks++ % 2 === 0;
    for (const state of this.tracked.values()) {
      state.fast = state.bytes >= FAST_BYTES_PER_TICK;
      state.bytes = 0;
      if (wholeInterval) {
        state.everyTick = state.intervalBytes >= VIDEO_BYTES_PER_INTERVAL;
        state.intervalBytes = 0;
      }
      if (state.stopped && (wholeInterval || state.everyTick || state.fast)) {
        state.stopped = false;
        state.handle.readStart();
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const [socket, state] of this.tracked) {
      if (state.stopped && !socket.destroyed) state.handle.readStart();
    }
    this.tracked.clear();
  }
}
