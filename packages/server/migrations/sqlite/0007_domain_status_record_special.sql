-- Issue 13: ForbidLiveDomain/EnableLiveDomain (DomainInfo.Status, 1 enabled) and the record
-- template's HlsSpecialParam/FlvSpecialParam (JSON, stored and described back).
ALTER TABLE domains ADD COLUMN status INTEGER NOT NULL DEFAULT 1;
ALTER TABLE record_templates ADD COLUMN special_params TEXT NOT NULL DEFAULT '{}';
