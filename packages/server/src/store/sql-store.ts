import type { Clock } from "../domain/clock.js";
import { createAlertStateRepository } from "./alert-state-repository.js";
import { type ClaimQuery, createDeliveryRepository } from "./delivery-repository.js";
import { createDomainRepository } from "./domain-repository.js";
import { createEndpointRepository } from "./endpoint-repository.js";
import { createEventRepository } from "./event-repository.js";
import { createForwardRuleRepository } from "./forward-rule-repository.js";
import { createHistoryRepository } from "./history-repository.js";
import { createPlaySampleRepository } from "./play-sample-repository.js";
import { createPullTaskRepository } from "./pull-task-repository.js";
import { createRecordingRepository } from "./recording-repository.js";
import { createRefusalRepository } from "./refusal-repository.js";
import { createRuleRepository } from "./rule-repository.js";
import { createSessionRepository } from "./session-repository.js";
import { createSnapshotRepository } from "./snapshot-repository.js";
import type { DriverRunner, SqlRunner } from "./sql-runner.js";
import type { Store } from "./store.js";
import { createStreamRepository } from "./stream-repository.js";
import { createTaskRepository } from "./task-repository.js";
import { createTemplateRepository } from "./template-repository.js";

/** What only the driver can do besides running statements. */
export interface SqlDriver {
  kind: Store["kind"];
  sharedAcrossNodes: boolean;
  /** The claim query (`DeliveryRepository.claimDue`), the one statement the drivers word apart. */
  claim(sql: SqlRunner): ClaimQuery;
  /** See `createHistoryRepository`: the statement that lets one node at a time sweep history. */
  historySweepLock?: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The Store every driver offers: the repositories, written once over the driver's runner. */
export function createSqlStore(sql: DriverRunner, clock: Clock, driver: SqlDriver): Store {
  return {
    kind: driver.kind,
    sharedAcrossNodes: driver.sharedAcrossNodes,
    migrate: () => driver.migrate(),
    close: () => driver.close(),
    async probeWrite(node, at) {
      await sql.run(
        "INSERT INTO health_probe (node, at) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET at = excluded.at",
        [node, at.getTime()],
      );
    },
    lastStorageFull: () => sql.storageFull.last(),
    domains: createDomainRepository(sql, clock),
    templates: createTemplateRepository(sql, clock),
    rules: createRuleRepository(sql, clock),
    events: createEventRepository(sql),
    deliveries: createDeliveryRepository(sql, clock, driver.claim(sql)),
    endpoints: createEndpointRepository(sql),
    history: createHistoryRepository(sql, driver.historySweepLock),
    streams: createStreamRepository(sql),
    recording: createRecordingRepository(sql, clock),
    snapshots: createSnapshotRepository(sql, clock),
    alerts: createAlertStateRepository(sql),
    sessions: createSessionRepository(sql),
    tasks: createTaskRepository(sql, clock),
    pullTasks: createPullTaskRepository(sql, clock),
    refusals: createRefusalRepository(sql, clock),
    playSamples: createPlaySampleRepository(sql),
    forwards: createForwardRuleRepository(sql, clock),
  };
}
