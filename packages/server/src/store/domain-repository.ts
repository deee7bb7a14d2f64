import type { Clock } from "../domain/clock.js";
import { OnAirError } from "../errors.js";
import { json, toDomain } from "./row-mappers.js";
import { many, one, type SqlRunner } from "./sql-runner.js";
import type { DomainRepository } from "./store.js";

/** What a new domain's play_auth column holds (its migration's default). */
const NO_AUTH = { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 };

/** Push and play domains (AddLiveDomain, ModifyLivePushAuthKey), written once for both drivers. */
export function createDomainRepository(sql: SqlRunner, clock: Clock): DomainRepository {
  return {
    async create(input) {
      const createdAt = clock.now();
      try {
        await sql.run(
          "INSERT INTO domains (name, type, push_auth, created_at) VALUES (?, ?, ?, ?)",
          [input.name, input.type, json(input.pushAuth), createdAt.getTime()],
        );
      } catch (err) {
        if (!sql.isUniqueViolation(err)) throw err;
        throw new OnAirError("ONAIR_ERR_DOMAIN_EXISTS", `domain ${input.name} already exists`, {
          tencentCode: "FailedOperation.DomainAdded",
        });
      }
      return { ...input, status: 1, playAuth: NO_AUTH, createdAt };
    },
    get: (name) => one(sql, "SELECT * FROM domains WHERE name = ?", [name], toDomain),
    list: () => many(sql, "SELECT * FROM domains ORDER BY created_at, name", [], toDomain),
    async delete(name) {
      return (await sql.run("DELETE FROM domains WHERE name = ?", [name])) > 0;
    },
    updatePushAuth: (name, pushAuth) =>
      one(
        sql,
        "UPDATE domains SET push_auth = ? WHERE name = ? RETURNING *",
        [json(pushAuth), name],
        toDomain,
      ),
    setStatus: (name, status) =>
      one(
        sql,
        "UPDATE domains SET status = ? WHERE name = ? RETURNING *",
        [status, name],
        toDomain,
      ),
    updatePlayAuth: (name, playAuth) =>
      one(
        sql,
        "UPDATE domains SET play_auth = ? WHERE name = ? RETURNING *",
        [json(playAuth), name],
        toDomain,
      ),
  };
}
