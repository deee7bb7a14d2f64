-- Forward rules (docs/relay.md, an OnAir extension like nginx-rtmp's `push`): every publish of
-- (domain_name, app_name) — app_name '' for every AppName of the domain — is pushed to
-- target_url for as long as it is live. domain_name is kept in lower case (domain names compare
-- case-insensitively); one row per target.
CREATE TABLE forward_rules (
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  target_url TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (domain_name, app_name, target_url)
);
