import type { Clock } from "../domain/clock.js";
import type { StreamKey } from "../domain/stream-key.js";
import { date, num, numOrNull, rowMapper, streamKeyColumns, text } from "./row-mappers.js";
import { first, many, type SqlRunner } from "./sql-runner.js";

/**
 * Refused RTMP publishes: the failed starts Tencent lists among a stream's publishes
 * (DescribeLiveStreamEventList without IsFilter). Anyone who can reach the RTMP port can make
 * one, so the table is bounded: only the newest `maxRows` (`MAX_REFUSALS`) are kept.
 */
export const MAX_REFUSALS = 10_000;

export interface PublishRefusal extends StreamKey {
  clientIp: string;
  /** Tencent's errcode (18 refused, 19 third-party auth failed) and its sub-code. */
  errcode: number;
  subErrcode: number | null;
  createdAt: Date;
}

export interface RefusalRepository {
  record(refusal: Omit<PublishRefusal, "createdAt">): Promise<void>;
  /** Refusals at or after `from` and before `to`, newest first, at most `limit`. */
  list(filter: { from: Date; to: Date; limit: number }): Promise<PublishRefusal[]>;
}

const toRefusal = rowMapper<PublishRefusal>({
  ...streamKeyColumns,
  clientIp: text,
  errcode: num,
  subErrcode: numOrNull,
  createdAt: date,
});

export function createRefusalRepository(
  sql: SqlRunner,
  clock: Clock,
  maxRows = MAX_REFUSALS,
): RefusalRepository {
  return {
    async record(r) {
      const row = await first(
        sql,
        `INSERT INTO publish_refusals
           (domain_name, app_name, stream_name, client_ip, errcode, sub_errcode, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [
          r.domainName,
          r.appName,
          r.streamName,
          r.clientIp,
          r.errcode,
          r.subErrcode,
          clock.now().getTime(),
        ],
      );
      const id = Number(row?.id ?? 0);
      if (id > maxRows) {
        await sql.run("DELETE FROM publish_refusals WHERE id <= ?", [id - maxRows]);
      }
    },
    list: (filter) =>
      many(
        sql,
        `SELECT * FROM publish_refusals WHERE created_at >= ? AND created_at < ?
         ORDER BY created_at DESC, id DESC LIMIT ?`,
        [filter.from.getTime(), filter.to.getTime(), filter.limit],
        toRefusal,
      ),
  };
}
