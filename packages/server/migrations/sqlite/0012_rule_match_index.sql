-- an event's commit finds its callback rule with one index seek instead of reading
-- every rule (store/rule-repository.ts `match`); domain names compare case-insensitively.
CREATE INDEX callback_rules_match ON callback_rules (lower(domain_name), app_name);
