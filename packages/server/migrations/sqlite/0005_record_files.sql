-- Recorded files and when StorageTime lets them go (the retention sweeper), issue 5.
CREATE TABLE record_files (
  path TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  expires_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX record_files_by_expiry ON record_files (expires_at) WHERE expires_at IS NOT NULL;
