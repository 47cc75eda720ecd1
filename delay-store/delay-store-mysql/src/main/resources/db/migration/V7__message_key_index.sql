-- The admin's search by business key ("what happened to order-42?"): one range of this index, in due order, instead
-- of a filter over every message of the state (5.7 s with a million SCHEDULED messages on H2, docs/benchmarks.md).
-- msg_key is at most 512 characters: 2,048 bytes in utf8mb4, within InnoDB's 3,072-byte index key.
CREATE INDEX idx_delay_message_key_state_due ON delay_message (msg_key, state, deliver_at, id);
