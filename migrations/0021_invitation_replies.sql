-- An expert's own answer to a panel's invitation. Accepting is recorded here; declining is
-- `declined_reason` / `declined_at` (with the replacement drawn), whoever records it.
ALTER TABLE panel_members ADD COLUMN accepted_at TIMESTAMPTZ;
