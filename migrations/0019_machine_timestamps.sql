-- Panels and publicity notices change state through the one transition function
-- (db::transition), which stamps every change it writes; these two tables had no column for it.
ALTER TABLE panels ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE publicity_notices ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
