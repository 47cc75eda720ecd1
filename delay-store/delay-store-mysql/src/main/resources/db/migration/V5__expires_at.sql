-- Message TTL: epoch ms after which a message is never emitted (it goes EXPIRED when claimed then); 0 = never.
-- Existing rows never expire.
ALTER TABLE delay_message ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
