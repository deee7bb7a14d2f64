import { placeholders, type SqlRunner } from "./sql-runner.js";

/** One row of a node's sample: what one play domain, stream and protocol had in the interval. */
export interface PlaySample {
  domain: string;
  appName: string;
  streamName: string;
  protocol: "rtmp" | "flv" | "hls";
  /** Bytes sent to viewers during the interval. */
  bytes: number;
  /** Play requests accepted during the interval. */
  requests: number;
  /** The most viewers connected at once during the interval. */
  online: number;
}

/** Figures summed over nodes: bytes and requests added up, online as described per query. */
export interface PlayFigures {
  bytes: number;
  requests: number;
  online: number;
}

export const MINUTE_MS = 60_000;
/** Rows per INSERT statement (10 parameters each: well under either driver's limit). */
const INSERT_CHUNK = 500;
/** Rows a per-stream answer holds at most (DescribeAllStreamPlayInfoList). */
export const MAX_STREAM_ROWS = 10_000;

/**
 * Viewer statistics shared by the nodes of a store (migration 0017, docs/playback.md, "Viewer
 * statistics"): every node appends one sample per interval; the queries add the nodes up.
 * Online viewers are per node first (the most in a minute, or the latest sample) and then summed,
 * so a node's several samples in a minute never count its viewers twice.
 */
export interface PlaySampleRepository {
  /**
   * Appends one node's sample in one transaction: `at` is the end of the interval its rows
   * cover, which lies within one minute (the minute of `at - 1 ms`).
   */
  append(input: { node: string; at: Date; rows: readonly PlaySample[] }): Promise<void>;
  /** Per minute from `fromMinute` to `toMinute` (minute starts, epoch ms), minutes with rows only. */
  perMinute(filter: {
    fromMinute: number;
    toMinute: number;
    domain?: string | undefined;
    appName?: string | undefined;
    streamName?: string | undefined;
  }): Promise<(PlayFigures & { minute: number })[]>;
  /** One minute per play domain, stream and protocol (at most `MAX_STREAM_ROWS`). */
  perStream(filter: {
    minute: number;
    domains?: readonly string[] | undefined;
  }): Promise<(PlaySample & { minute: number })[]>;
  /**
   * Per play domain since `since`: bytes and requests of every sample after it, online of each
   * node's latest sample after it (a node that wrote none since is not counted).
   */
  perDomain(filter: {
    since: Date;
    domains?: readonly string[] | undefined;
  }): Promise<(PlayFigures & { domain: string })[]>;
  /**
   * Retention: removes the samples before `before`, at most `spanMs` of them from the oldest
   * (one short statement); resolves to how many went, 0 once none is left before `before`.
   */
  deleteOldest(input: { before: Date; spanMs: number }): Promise<number>;
}

const n = (value: unknown) => Number(value ?? 0);

export function createPlaySampleRepository(sql: SqlRunner): PlaySampleRepository {
  return {
    async append({ node, at, rows }) {
      if (rows.length === 0) return;
      const atMs = at.getTime();
      const minute = Math.floor((atMs - 1) / MINUTE_MS) * MINUTE_MS;
      await sql.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          const chunk = rows.slice(i, i + INSERT_CHUNK);
          await tx.run(
            `INSERT INTO play_samples
               (node, at, minute, domain, app, stream, protocol, bytes, requests, online)
             VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
            chunk.flatMap((r) => [
              node,
              atMs,
              minute,
              r.domain,
              r.appName,
              r.streamName,
              r.protocol,
              r.bytes,
              r.requests,
              r.online,
            ]),
          );
        }
      });
    },

    async perMinute({ fromMinute, toMinute, domain, appName, streamName }) {
      const where = ["at > ?", "at <= ?"];
      const args: unknown[] = [fromMinute, toMinute + MINUTE_MS];
      for (const [column, value] of [
        ["domain", domain],
        ["app", appName],
        ["stream", streamName],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        args.push(value);
      }
      // A node's rows of one sample are added up, its samples of a minute give their most
      // viewers (and their bytes and requests added up), then the nodes are added up.
      const rows = await sql.all(
        `SELECT minute, SUM(bytes) AS bytes, SUM(requests) AS requests, SUM(online) AS online
         FROM (SELECT minute, node, SUM(bytes) AS bytes, SUM(requests) AS requests,
                      MAX(online) AS online
               FROM (SELECT minute, node, at, SUM(bytes) AS bytes, SUM(requests) AS requests,
                            SUM(online) AS online
                     FROM play_samples WHERE ${where.join(" AND ")}
                     GROUP BY minute, node, at) per_sample
               GROUP BY minute, node) per_node
         GROUP BY minute ORDER BY minute`,
        args,
      );
      return rows.map((r) => ({
        minute: n(r.minute),
        bytes: n(r.bytes),
        requests: n(r.requests),
        online: n(r.online),
      }));
    },

    async perStream({ minute, domains }) {
      const args: unknown[] = [minute, minute + MINUTE_MS, minute];
      let domainFilter = "";
      if (domains) {
        if (domains.length === 0) return [];
        domainFilter = ` AND domain IN (${placeholders(domains)})`;
        args.push(...domains);
      }
      args.push(MAX_STREAM_ROWS);
      const rows = await sql.all(
        `SELECT domain, app, stream, protocol, SUM(bytes) AS bytes, SUM(requests) AS requests,
                SUM(online) AS online
         FROM (SELECT domain, app, stream, protocol, node, SUM(bytes) AS bytes,
                      SUM(requests) AS requests, MAX(online) AS online
               FROM play_samples WHERE at > ? AND at <= ? AND minute = ?${domainFilter}
               GROUP BY domain, app, stream, protocol, node) per_node
         GROUP BY domain, app, stream, protocol
         ORDER BY domain, app, stream, protocol LIMIT ?`,
        args,
      );
      return rows.map((r) => ({
        minute,
        domain: String(r.domain),
        appName: String(r.app),
        streamName: String(r.stream),
        protocol: r.protocol === "rtmp" || r.protocol === "hls" ? r.protocol : "flv",
        bytes: n(r.bytes),
        requests: n(r.requests),
        online: n(r.online),
      }));
    },

    async perDomain({ since, domains }) {
      const sinceMs = since.getTime();
      let domainFilter = "";
      const domainArgs: string[] = [];
      if (domains) {
        if (domains.length === 0) return [];
        domainFilter = ` AND domain IN (${placeholders(domains)})`;
        domainArgs.push(...domains);
      }
      // One statement, so one snapshot: a sample committed meanwhile is in both figures or
      // in neither (its requests are never missing while its viewers count).
      const rows = await sql.all(
        `SELECT t.domain AS domain, t.bytes AS bytes, t.requests AS requests,
                COALESCE(o.online, 0) AS online
         FROM (SELECT domain, SUM(bytes) AS bytes, SUM(requests) AS requests FROM play_samples
               WHERE at > ?${domainFilter} GROUP BY domain) t
         LEFT JOIN (SELECT p.domain AS domain, SUM(p.online) AS online
                    FROM play_samples p
                    JOIN (SELECT node, MAX(at) AS at FROM play_samples WHERE at > ?
                          GROUP BY node) latest
                      ON p.node = latest.node AND p.at = latest.at
                    GROUP BY p.domain) o
           ON o.domain = t.domain
         ORDER BY t.domain`,
        [sinceMs, ...domainArgs, sinceMs],
      );
      return rows.map((r) => ({
        domain: String(r.domain),
        bytes: n(r.bytes),
        requests: n(r.requests),
        online: n(r.online),
      }));
    },

    async deleteOldest({ before, spanMs }) {
      const oldest = (await sql.all("SELECT MIN(at) AS at FROM play_samples"))[0]?.at;
      if (oldest === null || oldest === undefined) return 0;
      const cutoff = Math.min(before.getTime(), n(oldest) + spanMs);
      return sql.run("DELETE FROM play_samples WHERE at < ?", [cutoff]);
    },
  };
}
