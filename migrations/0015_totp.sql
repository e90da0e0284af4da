-- Two-factor sign-in (RFC 6238) for bureau and admin accounts: the shared secret, base32, set
-- when the user confirms a first code and cleared when they turn it off.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
