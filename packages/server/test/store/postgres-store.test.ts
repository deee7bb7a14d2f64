import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { TEST_DATABASE_URL } from "../helpers/test-database.js";
import { storeContract } from "./store-contract.js";

storeContract("PostgreSQL (fresh schema)", async () => {
  const schema = `onair_test_${randomBytes(6).toString("hex")}`;
  const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
  await store.migrate();
  return {
    store,
    async cleanup() {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
});
