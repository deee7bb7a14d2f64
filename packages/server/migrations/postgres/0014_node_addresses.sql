-- Where a node serves the internal pulls of the other nodes (docs/playback.md, "Several nodes"):
-- its HTTP address as they reach it, and the key a pull's credential is signed with (new on
-- every start of the node).
ALTER TABLE nodes ADD COLUMN http_address TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN relay_key TEXT NOT NULL DEFAULT '';
