-- The platform's security policy, set by the security administrator and in force at once:
-- password length and character classes, the sign-in lockout, the notice on the sign-in pages.
-- The defaults meet GB/T 22239-2019 level 3 (at least 8 characters of 3 classes; the product
-- keeps its floor of 12 and its common-password and login rules besides; lockout after 5
-- failures for 10 minutes).
CREATE TABLE security_policy (
    id                INT PRIMARY KEY CHECK (id = 1),
    min_length        INT NOT NULL DEFAULT 12 CHECK (min_length BETWEEN 12 AND 64),
    min_classes       INT NOT NULL DEFAULT 3 CHECK (min_classes BETWEEN 1 AND 4),
    lockout_threshold INT NOT NULL DEFAULT 5 CHECK (lockout_threshold BETWEEN 3 AND 20),
    lockout_minutes   INT NOT NULL DEFAULT 10 CHECK (lockout_minutes BETWEEN 1 AND 1440),
    login_notice      TEXT NOT NULL DEFAULT '' CHECK (length(login_notice) <= 500),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by        BIGINT REFERENCES users(id)
);
INSERT INTO security_policy (id) VALUES (1);
