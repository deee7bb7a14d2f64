import type { DeliveryStatus } from "../domain/types.js";

/** Which events `EventRepository.list` returns, newest first. */
export interface EventFilter {
  streamId?: string;
  eventTypes?: number[];
  from?: Date;
  to?: Date;
  limit: number;
}

/** Which deliveries `DeliveryRepository.list` returns, a page at a time. */
export interface DeliveryFilter {
  status?: DeliveryStatus[];
  url?: string;
  streamId?: string;
  eventTypes?: number[];
  from?: Date;
  to?: Date;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}
