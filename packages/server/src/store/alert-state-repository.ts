import { insertEvent } from "./event-repository.js";
import type { SqlRunner } from "./sql-runner.js";
import type { AlertStateRepository } from "./store.js";

/** The state of alerts with hysteresis (docs/alerts.md): one row per alert name. */
export function createAlertStateRepository(sql: SqlRunner): AlertStateRepository {
  return {
    transition({ name, initial, state, at, alert }) {
      return sql.transaction(async (tx) => {
        await tx.run(
          "INSERT INTO alert_state (name, state, changed_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
          [name, initial, at.getTime()],
        );
        // A compare-and-set: a node that waited on another's row lock re-reads the new state
        // and changes nothing, so the crossing is told once.
        const changed = await tx.run(
          "UPDATE alert_state SET state = ?, changed_at = ? WHERE name = ? AND state <> ?",
          [state, at.getTime(), name, state],
        );
        if (changed > 0) await insertEvent(tx, alert.event, alert.deliveries);
        return changed > 0;
      });
    },
  };
}
