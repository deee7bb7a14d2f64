/** The time source, injected so tests control it (STYLE §10). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
