/** The PostgreSQL on this machine (trust auth); override with ONAIR_TEST_DATABASE_URL. */
export const TEST_DATABASE_URL =
  process.env.ONAIR_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
