/**
 * Where a chunk parser copies the messages it completes. The parser never keeps the bytes it is
 * given (they may be a read buffer libuv fills again on the next read, shared-read-buffer.ts), so
 * every payload is a copy; taking the copies from slabs makes that one `memcpy` per message
 * instead of one allocation. A slab is never written twice: a piece stays valid for as long as
 * anything references it, and the slab is freed with its last piece.
 *
 * Slabs grow from `FIRST_SLAB_BYTES` as a connection keeps sending, up to the cap its parser
 * sets: `FIRST_SLAB_BYTES` until it publishes (so a connection that never does holds 16 KiB at
 * most, docs/security.md), `MAX_SLAB_BYTES` beyond what viewers' caches reference once it does.
 */
const FIRST_SLAB_BYTES = 16 * 1024;
const MAX_SLAB_BYTES = 256 * 1024;
/** Larger pieces get an allocation of their own, so one big message cannot strand a slab. */
const OWN_ALLOCATION_BYTES = MAX_SLAB_BYTES / 4;

const EMPTY = Buffer.alloc(0);

export class ByteArena {
  private slab: Buffer = EMPTY;
  private used = 0;
  private nextSlabBytes = FIRST_SLAB_BYTES;
  private maxSlabBytes = FIRST_SLAB_BYTES;

  /** The largest slab from now on, between `FIRST_SLAB_BYTES` and `MAX_SLAB_BYTES`. */
  capSlabs(bytes: number): void {
    this.maxSlabBytes = Math.min(MAX_SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, bytes));
    this.nextSlabBytes = Math.min(this.nextSlabBytes, this.maxSlabBytes);
  }

  /** A copy of `source[start, end)`, from the current slab or a new one. */
  copy(source: Buffer, start: number, end: number): Buffer {
    const length = end - start;
    let piece: Buffer;
    if (length >= OWN_ALLOCATION_BYTES) {
      piece = Buffer.allocUnsafeSlow(length);
    } else {
      if (this.slab.length - this.used < length) {
        this.slab = Buffer.allocUnsafeSlow(Math.max(this.nextSlabBytes, length));
        this.used = 0;
        this.nextSlabBytes = Math.min(this.nextSlabBytes * 2, this.maxSlabBytes);
      }
      piece = this.slab.subarray(this.used, this.used + length);
      this.used += length;
    }
    source.copy(piece, 0, start, end);
    return piece;
  }
}
