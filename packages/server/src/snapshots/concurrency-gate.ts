/**
 * A counting gate that never waits: `tryEnter` is refused at the limit. A screenshot that cannot
 * start now is skipped, not queued, because a late screenshot of a live stream is worth nothing.
 */
export class ConcurrencyGate {
  private active = 0;

  constructor(private readonly limit: number) {}

  tryEnter(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  leave(): void {
    this.active = Math.max(0, this.active - 1);
  }

  get inUse(): number {
    return this.active;
  }
}
