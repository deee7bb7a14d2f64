import type { StreamKey } from "../domain/stream-key.js";
import {
  date,
  dateOrNull,
  num,
  numOrNull,
  rowMapper,
  streamKeyColumns,
  text,
} from "./row-mappers.js";
import { where } from "./sql-filters.js";
import { many, one, type SqlRunner } from "./sql-runner.js";

/**
 * Live publishes, forbidden streams and node heartbeats (issue 4), in one repository written
 * once for both drivers. The `live_streams` row of a stream is the global lock that makes a
 * duplicate publisher visible to every node; `drop_errcode` is how a Drop or Forbid reaches the
 * node that holds the publisher (each node polls its own rows); a node whose heartbeat stops has
 * its rows taken over by a survivor, which reports them interrupted.
 */

export interface LiveStreamRecord extends StreamKey {
  sequence: string;
  nodeId: string;
  serverIp: string;
  clientIp: string;
  streamParam: string;
  width: number;
  height: number;
  startedAt: Date;
  /** A requested drop, not yet carried out by the holding node. */
  dropErrcode: number | null;
  /** Its sub_errcode (21/100 Drop, 21/101 Forbid), when one was given. */
  dropSubErrcode: number | null;
}

export interface ForbiddenStream extends StreamKey {
  forbiddenAt: Date;
  /** When the ban lifts by itself; null: until ResumeLiveStream. */
  resumeAt: Date | null;
  reason: string;
}

/** Where a node serves the internal pulls of the others (docs/playback.md, "Several nodes"). */
export interface NodeRecord {
  nodeId: string;
  heartbeatAt: Date;
  /** `host:port` of its HTTP port as the other nodes reach it ("" before it advertised). */
  httpAddress: string;
  /** The key internal pull credentials for it are signed with ("" before it advertised). */
  relayKey: string;
}

export interface StreamRepository {
  /** Takes the stream for a publish; false when another publish holds it. */
  register(record: Omit<LiveStreamRecord, "dropErrcode" | "dropSubErrcode">): Promise<boolean>;
  get(key: StreamKey): Promise<LiveStreamRecord | null>;
  list(filter: Partial<StreamKey>): Promise<LiveStreamRecord[]>;
  setDimensions(
    key: StreamKey,
    sequence: string,
    size: { width: number; height: number },
  ): Promise<void>;
  /** Releases the stream if `sequence` still holds it. */
  unregister(key: StreamKey, sequence: string): Promise<void>;
  /** Asks the holding node to end the publish with `errcode`; false when not live. */
  requestDrop(key: StreamKey, errcode: number, subErrcode?: number): Promise<boolean>;
  /** This node's rows with a requested drop. */
  pendingDrops(nodeId: string): Promise<LiveStreamRecord[]>;
  /** Removes and returns the rows of nodes whose heartbeat is older than `staleBefore`, and of `nodeId` itself (its previous life). */
  takeOrphans(input: {
    nodeId: string;
    staleBefore: Date;
    includeOwn: boolean;
  }): Promise<LiveStreamRecord[]>;
  heartbeat(nodeId: string, now: Date): Promise<void>;
  /** Records (or replaces) where `nodeId` serves internal pulls; also a heartbeat. */
  advertise(
    nodeId: string,
    node: { httpAddress: string; relayKey: string },
    now: Date,
  ): Promise<void>;
  node(nodeId: string): Promise<NodeRecord | null>;

  forbid(input: ForbiddenStream): Promise<void>;
  /** False when the stream was not forbidden. */
  resume(key: StreamKey): Promise<boolean>;
  /** The ban in force at `now`, if any. */
  forbidden(key: StreamKey, now: Date): Promise<ForbiddenStream | null>;
  listForbidden(now: Date): Promise<ForbiddenStream[]>;
}

const KEY_WHERE = "domain_name = ? AND app_name = ? AND stream_name = ?";
const keyArgs = (k: StreamKey) => [k.domainName, k.appName, k.streamName];

const toLive = rowMapper<LiveStreamRecord>({
  ...streamKeyColumns,
  sequence: text,
  nodeId: text,
  serverIp: text,
  clientIp: text,
  streamParam: text,
  width: num,
  height: num,
  startedAt: date,
  dropErrcode: numOrNull,
  dropSubErrcode: numOrNull,
});

const toNode = rowMapper<NodeRecord>({
  nodeId: text,
  heartbeatAt: date,
  httpAddress: text,
  relayKey: text,
});

const toForbidden = rowMapper<ForbiddenStream>({
  ...streamKeyColumns,
  forbiddenAt: date,
  resumeAt: dateOrNull,
  reason: text,
});

export function createStreamRepository(sql: SqlRunner): StreamRepository {
  return {
    async register(r) {
      const inserted = await sql.run(
        `INSERT INTO live_streams (domain_name, app_name, stream_name, sequence, node_id, server_ip,
           client_ip, stream_param, width, height, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, stream_name) DO NOTHING`,
        [
          ...keyArgs(r),
          r.sequence,
          r.nodeId,
          r.serverIp,
          r.clientIp,
          r.streamParam,
          r.width,
          r.height,
          r.startedAt.getTime(),
        ],
      );
      return inserted === 1;
    },
    async get(key) {
      return one(sql, `SELECT * FROM live_streams WHERE ${KEY_WHERE}`, keyArgs(key), toLive);
    },
    async list(filter) {
      const { sql: conditions, args } = where([
        filter.domainName !== undefined && ["domain_name = ?", filter.domainName],
        filter.appName !== undefined && ["app_name = ?", filter.appName],
        filter.streamName !== undefined && ["stream_name = ?", filter.streamName],
      ]);
      const text = `SELECT * FROM live_streams WHERE ${conditions} ORDER BY started_at, stream_name`;
      return many(sql, text, args, toLive);
    },
    async setDimensions(key, sequence, size) {
      await sql.run(
        `UPDATE live_streams SET width = ?, height = ? WHERE ${KEY_WHERE} AND sequence = ?`,
        [size.width, size.height, ...keyArgs(key), sequence],
      );
    },
    async unregister(key, sequence) {
      await sql.run(`DELETE FROM live_streams WHERE ${KEY_WHERE} AND sequence = ?`, [
        ...keyArgs(key),
        sequence,
      ]);
    },
    async requestDrop(key, errcode, subErrcode) {
      const changed = await sql.run(
        `UPDATE live_streams SET drop_errcode = ?, drop_sub_errcode = ? WHERE ${KEY_WHERE}`,
        [errcode, subErrcode ?? null, ...keyArgs(key)],
      );
      return changed > 0;
    },
    pendingDrops: (nodeId) =>
      many(
        sql,
        "SELECT * FROM live_streams WHERE node_id = ? AND drop_errcode IS NOT NULL",
        [nodeId],
        toLive,
      ),
    async takeOrphans({ nodeId, staleBefore, includeOwn }) {
      // One DELETE … RETURNING: when two survivors sweep at once, each row goes to one of them.
      return many(
        sql,
        `DELETE FROM live_streams WHERE
           (node_id <> ? AND node_id NOT IN (SELECT node_id FROM nodes WHERE heartbeat_at >= ?))
           OR (? = 1 AND node_id = ?)
         RETURNING *`,
        [nodeId, staleBefore.getTime(), includeOwn ? 1 : 0, nodeId],
        toLive,
      );
    },
    async heartbeat(nodeId, now) {
      await sql.run(
        `INSERT INTO nodes (node_id, heartbeat_at) VALUES (?, ?)
         ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
        [nodeId, now.getTime()],
      );
    },
    async advertise(nodeId, node, now) {
      await sql.run(
        `INSERT INTO nodes (node_id, heartbeat_at, http_address, relay_key) VALUES (?, ?, ?, ?)
         ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,
           http_address = excluded.http_address, relay_key = excluded.relay_key`,
        [nodeId, now.getTime(), node.httpAddress, node.relayKey],
      );
    },
    node: (nodeId) => one(sql, "SELECT * FROM nodes WHERE node_id = ?", [nodeId], toNode),
    async forbid(f) {
      await sql.run(
        `INSERT INTO forbidden_streams (domain_name, app_name, stream_name, forbidden_at, resume_at, reason)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (domain_name, app_name, stream_name) DO UPDATE SET
           forbidden_at = excluded.forbidden_at, resume_at = excluded.resume_at, reason = excluded.reason`,
        [...keyArgs(f), f.forbiddenAt.getTime(), f.resumeAt?.getTime() ?? null, f.reason],
      );
    },
    async resume(key) {
      return (await sql.run(`DELETE FROM forbidden_streams WHERE ${KEY_WHERE}`, keyArgs(key))) > 0;
    },
    async forbidden(key, now) {
      return one(
        sql,
        `SELECT * FROM forbidden_streams WHERE ${KEY_WHERE} AND (resume_at IS NULL OR resume_at > ?)`,
        [...keyArgs(key), now.getTime()],
        toForbidden,
      );
    },
    async listForbidden(now) {
      return many(
        sql,
        "SELECT * FROM forbidden_streams WHERE resume_at IS NULL OR resume_at > ? ORDER BY forbidden_at",
        [now.getTime()],
        toForbidden,
      );
    },
  };
}
