-- Uploaded files are stored under random names; the SHA-256 stays recorded to check what is
-- read back. Files stored before this keep their hash as their name (storage_key NULL).
ALTER TABLE documents ADD COLUMN storage_key TEXT CHECK (storage_key ~ '^[0-9a-f]{32}$');
