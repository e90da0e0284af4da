-- Two officials editing one rule-set draft: a save names the version of the draft it was made
-- from, so that the second save of two cannot silently overwrite the first.
ALTER TABLE rule_set_drafts ADD COLUMN lock_version INT NOT NULL DEFAULT 1;
