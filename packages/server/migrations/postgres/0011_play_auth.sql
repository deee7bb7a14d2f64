-- Play authentication of play domains (DomainType 1; ModifyLivePlayAuthKey, Tencent 267/30761):
-- the same key shape as push_auth, kept apart so a domain's push key never opens its playback.
ALTER TABLE domains ADD COLUMN play_auth TEXT NOT NULL DEFAULT '{"enabled":false,"mainKey":"","backupKey":"","authDeltaSeconds":0}';
