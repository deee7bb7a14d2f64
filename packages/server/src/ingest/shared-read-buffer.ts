import { type Server, Socket } from "node:net";

/**
 * The size of the one buffer every plain-TCP RTMP connection is read into: libuv's usual read
 * size, so a read that fills it may have left more behind.
 */
export const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Node reads a socket into a fresh 64 KiB allocation, shrinks it to what arrived and pushes it
 * through the stream machinery as a 'data' event: about 50 µs of CPU per read here, where an
 * encoder's socket is read once per frame. With `onread` (a documented `net.Socket` option) libuv
 * reads into a buffer of ours and calls back with the length: about 23 µs, nginx-rtmp's cost per
 * read. JavaScript runs one callback at a time and each is done with the bytes when it returns
 * (the chunk parser copies what it keeps), so every connection of the node can share one buffer.
 */
const sharedReadBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);

interface AcceptedSocket {
  _handle?: { useUserBuffer?: unknown } | null;
  _server?: Server | null;
}

/**
 * Re-creates a socket `server` accepted (with `pauseOnConnect`, so nothing was read) around the
 * same TCP handle, read into the shared buffer: `onRead` gets the bytes of each read, valid only
 * until it returns. This is what Node does for each accepted connection, with `onread` added; the
 * server's connection count moves to the new socket. Where the handle cannot take a user buffer,
 * the accepted socket is returned as it is, reading through 'data' events; if re-creating it
 * fails, it is returned destroyed.
 */
export function readIntoSharedBuffer(
  accepted: Socket,
  server: Server,
  onRead: (bytes: Buffer) => void,
): Socket {
  const internals = accepted as unknown as AcceptedSocket;
  const handle = internals._handle;
  if (!handle || typeof handle.useUserBuffer !== "function")
    return readDataEvents(accepted, onRead);
  let socket: Socket;
  try {
    socket = new Socket({
      handle,
      readable: true,
      writable: true,
      onread: {
        buffer: sharedReadBuffer,
        callback: (length: number, buffer: Uint8Array) => {
          onRead((buffer as Buffer).subarray(0, length));
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
  } catch {
    // Half made, the new socket may own the handle already: close the connection, do not guess.
    accepted.destroy();
    return accepted;
  }
  // The handle is the new socket's now: the accepted one must never close it or count it.
  internals._handle = null;
  internals._server = null;
  // Node counts a connection until its socket closes (server.close waits for the count to drop).
  (socket as unknown as AcceptedSocket)._server = server;
  (socket as unknown as { server: Server }).server = server;
  return socket;
}

/** The usual way: `onRead` gets each 'data' event of a socket accepted with `pauseOnConnect`. */
export function readDataEvents(accepted: Socket, onRead: (bytes: Buffer) => void): Socket {
  accepted.on("data", onRead);
  accepted.resume();
  return accepted;
}
