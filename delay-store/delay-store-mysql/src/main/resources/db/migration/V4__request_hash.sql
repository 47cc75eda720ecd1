-- The digest of an idempotent submit's request (base64url SHA-256, 43 characters): a repeat of the idempotency key
-- with a different request is refused (422) instead of answered with the first message. NULL without a key, and
-- for rows stored before this column existed (their keys are honoured as before).
ALTER TABLE delay_message ADD COLUMN request_hash VARCHAR(64) NULL;
