-- ForbidLiveDomain/EnableLiveDomain (DomainInfo.Status, 1 enabled) and the record
-- template's HlsSpecialParam/FlvSpecialParam (JSON, stored and described back).
ALTER TABLE domains ADD COLUMN status BIGINT NOT NULL DEFAULT 1;
ALTER TABLE record_templates ADD COLUMN special_params TEXT NOT NULL DEFAULT '{}';

-- Refused RTMP publishes (the "failed starts" DescribeLiveStreamEventList lists unless IsFilter
-- is 1); only the newest 10000 are kept.
CREATE TABLE publish_refusals (
  id BIGSERIAL PRIMARY KEY,
  domain_name TEXT NOT NULL,
  app_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  errcode BIGINT NOT NULL,
  sub_errcode BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX publish_refusals_by_time ON publish_refusals (created_at);
