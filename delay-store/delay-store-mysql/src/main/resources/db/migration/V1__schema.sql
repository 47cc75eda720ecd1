-- Hourglass store schema, one script for MySQL 8, MariaDB 10.11 and H2 2.3 in MODE=MySQL.
--
-- Portability rules (see docs and shared/RECIPES.md):
--  * lower-case names everywhere (MariaDB table names are case-sensitive on Linux);
--  * every time is epoch milliseconds UTC in a BIGINT, passed in by the caller: no DATETIME, no NOW();
--  * indexes are separate CREATE INDEX statements with names unique in the schema (H2 wants that, MySQL allows it);
--  * ENGINE / DEFAULT CHARSET / COLLATE table options are honoured by MySQL and MariaDB and ignored by H2.
--    A binary collation makes keys compare byte-for-byte as they do in H2 and Cassandra: app keys, topics and
--    idempotency keys are case-sensitive, and 4-byte characters (emoji) are stored. The collation sits in
--    executable comments, one per server: MariaDB runs only /*M!...*/ (and skips /*!50700...*/, a MySQL version),
--    MySQL runs only /*!50700...*/, H2 runs neither. MariaDB gets utf8mb4_nopad_bin, because its utf8mb4_bin
--    pads with spaces: 'k' and 'k ' would be one idempotency key there (MariaDbMessageStoreTest checks it).
--    MySQL keeps utf8mb4_bin (PAD SPACE too; its NO PAD utf8mb4_0900_bin needs 8.0.17).

-- Every message, in every state. The id is made by the application and carries the slot.
CREATE TABLE delay_message (
    id                 BIGINT        NOT NULL,
    app_key            VARCHAR(64)   NOT NULL,
    topic              VARCHAR(249)  NOT NULL,
    msg_key            VARCHAR(512)  NULL,
    payload            MEDIUMTEXT    NOT NULL,   -- up to 16 MiB in MySQL; H2 maps it to a VARCHAR (no LOB)
    headers            TEXT          NULL,       -- JSON object of string -> string; NULL when there are none
    deliver_at         BIGINT        NOT NULL,   -- never emitted before this
    fire_at            BIGINT        NOT NULL,   -- when to act next: deliver_at, or later for a retry
    repeat_interval_ms BIGINT        NULL,
    state              VARCHAR(16)   NOT NULL,   -- MessageState name
    attempts           INT           NOT NULL DEFAULT 0,
    created_at         BIGINT        NOT NULL,
    updated_at         BIGINT        NOT NULL,
    slot               INT           NOT NULL,
    version            BIGINT        NOT NULL DEFAULT 0,
    idem_key           VARCHAR(160)  NULL,
    claim_token        BIGINT        NOT NULL DEFAULT 0,
    claimed_at         BIGINT        NOT NULL DEFAULT 0,
    last_error         VARCHAR(1024) NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- Preload and sweep: "SCHEDULED messages of slot S with fire_at in [a, b) after cursor (f, id) ORDER BY fire_at, id
-- LIMIT n" is one range scan in index order, no sort; countScheduled(slot) reads the (slot, state) prefix.
CREATE INDEX idx_delay_message_due ON delay_message (slot, state, fire_at, id);

-- Stuck claims ("FIRING messages of slot S claimed before t") use the (slot, state) prefix of the index above:
-- FIRING rows are only the batches in flight, so a filter on claimed_at is cheap, and every insert and state
-- change maintains one B-tree fewer than with an index of their own.

-- Idempotent submits. Rows with a NULL idem_key never collide (MySQL, MariaDB and H2 alike).
-- Its app_key prefix also serves the admin's "messages of app A".
CREATE UNIQUE INDEX uk_delay_message_idem ON delay_message (app_key, idem_key);

-- Client applications. The secret itself is never stored.
CREATE TABLE delay_message_app (
    app_key     VARCHAR(64)  NOT NULL,
    secret_hash VARCHAR(128) NOT NULL,   -- hex SHA-256(salt || secret)
    salt        VARCHAR(64)  NOT NULL,   -- hex
    enabled     BOOLEAN      NOT NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (app_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- Topics an app may use. 249 is Kafka's limit for a topic name.
CREATE TABLE delay_message_topic (
    app_key    VARCHAR(64)  NOT NULL,
    topic      VARCHAR(249) NOT NULL,
    created_at BIGINT       NOT NULL,
    PRIMARY KEY (app_key, topic)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- Per-node figures taken on a schedule, for the admin console's charts.
CREATE TABLE delay_node_snapshot (
    node_id         VARCHAR(128) NOT NULL,
    taken_at        BIGINT       NOT NULL,   -- epoch ms
    in_memory_count BIGINT       NOT NULL,   -- messages held in the timing wheel
    owned_slots     INT          NOT NULL DEFAULT 0,
    scheduled_count BIGINT       NOT NULL DEFAULT 0,   -- SCHEDULED backlog of the node's slots
    fired_count     BIGINT       NOT NULL DEFAULT 0,   -- messages emitted since the previous snapshot
    late_count      BIGINT       NOT NULL DEFAULT 0,   -- of which emitted after their deliver_at + tolerance
    PRIMARY KEY (node_id, taken_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- Charts read "all nodes between t1 and t2".
CREATE INDEX idx_delay_node_snapshot_taken ON delay_node_snapshot (taken_at);
