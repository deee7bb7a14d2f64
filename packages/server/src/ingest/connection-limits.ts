/**
 * What the RTMP port lets untrusted peers hold in total (docs/security.md): connections overall
 * and per client address, checked on accept, and the bytes all connections hold for unfinished
 * chunks and messages, checked after every read. Per-connection bounds live in the chunk parser.
 */
export interface ConnectionLimitsOptions {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Bytes of unfinished chunks and messages across every connection. */
  maxPendingBytesTotal: number;
}

export type AdmitResult = { admitted: true } | { admitted: false; reason: string };

export class ConnectionLimits {
  private connections = 0;
  private readonly perIp = new Map<string, number>();
  private pendingTotal = 0;

  constructor(private readonly options: ConnectionLimitsOptions) {}

  /** Counts a new connection from `ip`, or says why it is refused. */
  admit(ip: string): AdmitResult {
    if (this.connections >= this.options.maxConnections) {
      return {
        admitted: false,
        reason: `${this.connections} connections open (limit ${this.options.maxConnections})`,
      };
    }
    const fromIp = this.perIp.get(ip) ?? 0;
    if (fromIp >= this.options.maxConnectionsPerIp) {
      return {
        admitted: false,
        reason: `${fromIp} connections open from ${ip} (limit ${this.options.maxConnectionsPerIp})`,
      };
    }
    this.connections++;
    this.perIp.set(ip, fromIp + 1);
    return { admitted: true };
  }

  /** Forgets an admitted connection. */
  release(ip: string): void {
    this.connections--;
    const fromIp = (this.perIp.get(ip) ?? 1) - 1;
    if (fromIp === 0) this.perIp.delete(ip);
    else this.perIp.set(ip, fromIp);
  }

  /**
   * Moves one connection's pending bytes from `before` to `after`; false when the total would
   * pass the limit (the growth is not counted: the caller closes that connection).
   */
  resizePending(before: number, after: number): boolean {
    const total = this.pendingTotal - before + after;
    if (after > before && total > this.options.maxPendingBytesTotal) {
      this.pendingTotal -= before;
      return false;
    }
    this.pendingTotal = total;
    return true;
  }

  get openConnections(): number {
    return this.connections;
  }

  get pendingBytes(): number {
    return this.pendingTotal;
  }
}
