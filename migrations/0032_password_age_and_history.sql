-- The security policy's password age and history: a password older than `max_age_days` must
-- be changed before anything else is done (NULL: no limit), and a new password may not be one
-- of the last `history` passwords of the account.
ALTER TABLE security_policy ADD COLUMN max_age_days INT DEFAULT 90
    CHECK (max_age_days IS NULL OR max_age_days BETWEEN 1 AND 365);
ALTER TABLE security_policy ADD COLUMN history INT NOT NULL DEFAULT 5
    CHECK (history BETWEEN 0 AND 24);
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- The hashes of the passwords an account had, to refuse their reuse.
CREATE TABLE password_history (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    replaced_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX password_history_user ON password_history (user_id, id DESC);
