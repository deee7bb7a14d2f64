-- Viewer statistics shared by every node of the store (docs/playback.md, "Viewer statistics"):
-- each node writes, once per sample interval (`playback.statsIntervalMs`), one row per play
-- domain, AppName, StreamName and protocol that had viewers. `at` is the end of the interval the
-- row covers, `minute` the minute it falls in; `online` is the most viewers connected at once
-- during the interval. The play-info actions (Tencent 267/20390, 267/20391, 267/30186) sum the
-- nodes' rows; the history sweep removes rows older than `retention.playStatsMaxAgeMs`.
CREATE TABLE play_samples (
  node TEXT NOT NULL,
  at BIGINT NOT NULL,
  minute BIGINT NOT NULL,
  domain TEXT NOT NULL,
  app TEXT NOT NULL,
  stream TEXT NOT NULL,
  protocol TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  requests INTEGER NOT NULL,
  online INTEGER NOT NULL,
  PRIMARY KEY (node, at, domain, app, stream, protocol)
);
CREATE INDEX play_samples_by_time ON play_samples (at);
CREATE INDEX play_samples_by_stream ON play_samples (stream, at);
