import type { Clock } from "../domain/clock.js";
import { OnAirError } from "../errors.js";
import { json, stampedNow, toTemplate } from "./row-mappers.js";
import { first, many, one, type SqlRunner } from "./sql-runner.js";
import type { TemplateInput, TemplateRepository } from "./store.js";

/** The template's columns `name` … `per_stream_ordering`, in the order both statements list them. */
function templateValues(input: TemplateInput): unknown[] {
  return [
    input.name,
    input.description,
    json(input.urls),
    json(input.recordExceptionLevels),
    input.callbackKey,
    json(input.previousKeys.map((k) => ({ key: k.key, validUntil: k.validUntil.getTime() }))),
    input.retryPolicy === null ? null : json(input.retryPolicy),
    input.perStreamOrdering ? 1 : 0,
  ];
}

/** Callback templates (CreateLiveCallbackTemplate and friends), written once for both drivers. */
export function createTemplateRepository(sql: SqlRunner, clock: Clock): TemplateRepository {
  return {
    async create(input) {
      const row = await first(
        sql,
        `INSERT INTO callback_templates (name, description, urls, record_exception_levels, callback_key,
           previous_keys, retry_policy, per_stream_ordering, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [...templateValues(input), ...stampedNow(clock)],
      );
      return toTemplate(row!);
    },
    get: (id) => one(sql, "SELECT * FROM callback_templates WHERE id = ?", [id], toTemplate),
    list: () => many(sql, "SELECT * FROM callback_templates ORDER BY id", [], toTemplate),
    update: (id, input) =>
      one(
        sql,
        `UPDATE callback_templates SET name = ?, description = ?, urls = ?, record_exception_levels = ?,
           callback_key = ?, previous_keys = ?, retry_policy = ?, per_stream_ordering = ?, updated_at = ?
         WHERE id = ? RETURNING *`,
        [...templateValues(input), clock.now().getTime(), id],
        toTemplate,
      ),
    delete(id) {
      return sql.transaction(async (tx) => {
        // Lock the template so a rule cannot be bound to it between the check and the delete.
        const template = await first(
          tx,
          `SELECT id FROM callback_templates WHERE id = ?${tx.forUpdate}`,
          [id],
        );
        if (!template) return false;
        const rule = await first(tx, "SELECT 1 FROM callback_rules WHERE template_id = ? LIMIT 1", [
          id,
        ]);
        const pending = await first(
          tx,
          "SELECT 1 FROM deliveries WHERE template_id = ? AND status = 'pending' LIMIT 1",
          [id],
        );
        if (rule || pending) {
          const why = rule
            ? `template ${id} is used by a rule`
            : `template ${id} has deliveries in progress`;
          throw new OnAirError("ONAIR_ERR_TEMPLATE_IN_USE", why, {
            tencentCode: "FailedOperation.ConfInUsed",
          });
        }
        return (await tx.run("DELETE FROM callback_templates WHERE id = ?", [id])) > 0;
      });
    },
  };
}

/** The keys a delivery of `template` is signed with at `now`: the current one, then rotated-out keys still valid. */
export function signingKeys(
  template: { callbackKey: string; previousKeys: { key: string; validUntil: Date }[] } | undefined,
  now: Date,
): string[] {
  const keys = template?.callbackKey ? [template.callbackKey] : [];
  for (const previous of template?.previousKeys ?? []) {
    if (previous.validUntil > now && previous.key && !keys.includes(previous.key))
      keys.push(previous.key);
  }
  return keys;
}
