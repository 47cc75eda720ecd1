-- The admin side: richer apps (profile, quotas, secret rotation, optimistic version), admin users, the audit log,
-- and the indexes of the admin's message search and of the per-app pending count.
--
-- Same portability rules as V1 (one script for MySQL 8, MariaDB 10.11 and H2 2.3 in MODE=MySQL): lower-case names,
-- times as BIGINT epoch ms UTC, separate CREATE INDEX statements with schema-unique names, table options and the
-- binary collation in executable comments (see V1's header). One column per ALTER TABLE: H2 does not take MySQL's
-- comma-separated "ADD a, ADD b" list. Every new column has a default, so rows of V1 get sane values at once.

-- ---------------------------------------------------------------- apps

ALTER TABLE delay_message_app ADD COLUMN name VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE delay_message_app ADD COLUMN owner VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE delay_message_app ADD COLUMN description VARCHAR(1024) NOT NULL DEFAULT '';
-- Quotas: 0 = no limit of the app's own (AppQuotas).
ALTER TABLE delay_message_app ADD COLUMN submits_per_second BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delay_message_app ADD COLUMN max_pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delay_message_app ADD COLUMN max_payload_bytes INT NOT NULL DEFAULT 0;
ALTER TABLE delay_message_app ADD COLUMN min_repeat_interval_ms BIGINT NOT NULL DEFAULT 0;
-- The current secret's end (Long.MAX_VALUE = none), then the secret replaced by the last rotation while its grace
-- period lasts (all three NULL when there is none).
ALTER TABLE delay_message_app ADD COLUMN secret_valid_until BIGINT NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE delay_message_app ADD COLUMN prev_secret_hash VARCHAR(128) NULL;
ALTER TABLE delay_message_app ADD COLUMN prev_salt VARCHAR(64) NULL;
ALTER TABLE delay_message_app ADD COLUMN prev_secret_valid_until BIGINT NULL;
-- Every change bumps version; updates are conditional on it ("WHERE version = new - 1").
ALTER TABLE delay_message_app ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delay_message_app ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- Apps made before this version: named after their key, last changed when they were made.
UPDATE delay_message_app SET name = app_key, updated_at = created_at;

-- The admin's grants view reads every (topic, app) pair; the primary key (app_key, topic) serves topicsOf.
-- (No index of its own: topics are few and the view sorts them.)

-- ---------------------------------------------------------------- admin users and audit log

-- People (or scripts) allowed into the admin API and console. The password is only ever stored as an encoded hash
-- with its algorithm prefix ({bcrypt}...).
CREATE TABLE delay_admin_user (
    username      VARCHAR(128) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role          VARCHAR(16)  NOT NULL,   -- AdminRole name
    enabled       BOOLEAN      NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    version       BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- Every change made through the admin API. The id is made by the caller (unique, increasing with time): the
-- newest-first page "id < before ORDER BY id DESC LIMIT n" is a backward range scan of the primary key.
CREATE TABLE delay_admin_audit (
    id           BIGINT       NOT NULL,
    created_at   BIGINT       NOT NULL,   -- the entry's "at"
    actor        VARCHAR(128) NOT NULL,
    action       VARCHAR(64)  NOT NULL,
    target       VARCHAR(255) NOT NULL,
    before_state MEDIUMTEXT   NULL,        -- JSON, secrets redacted by the admin module
    after_state  MEDIUMTEXT   NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- "The history of one app / user": target = ? AND id < ? ORDER BY id DESC, one backward range.
CREATE INDEX idx_delay_admin_audit_target ON delay_admin_audit (target, id);

-- ---------------------------------------------------------------- message search and per-app count

-- Search with an app: "app A, state S, deliver_at in [a, b), after cursor (d, id) ORDER BY deliver_at, id LIMIT n"
-- is one range in index order; topic and key filters are checked on the rows the range reads. The (app_key, state)
-- prefix also counts an app's SCHEDULED messages for its maxPending quota.
CREATE INDEX idx_delay_message_app_state_due ON delay_message (app_key, state, deliver_at, id);

-- Search without an app: the same shape on (state, deliver_at, id).
CREATE INDEX idx_delay_message_state_due ON delay_message (state, deliver_at, id);

-- ---------------------------------------------------------------- per-app charts and the cluster view

-- Counts of one app in one 10-minute bucket (AppStatPoint). Every server adds its deltas
-- ("INSERT ... ON DUPLICATE KEY UPDATE n = n + VALUES(n)"); the primary key serves one app's range of buckets.
CREATE TABLE delay_app_stat (
    app_key      VARCHAR(64) NOT NULL,
    bucket_start BIGINT      NOT NULL,   -- epoch ms, a multiple of 10 minutes
    submitted    BIGINT      NOT NULL DEFAULT 0,
    fired        BIGINT      NOT NULL DEFAULT 0,
    dead         BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (app_key, bucket_start)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;

-- Every app's points of a time range.
CREATE INDEX idx_delay_app_stat_bucket ON delay_app_stat (bucket_start);

-- delay_node_snapshot (V1) becomes the history of NodeSnapshot: what it lacked. V1's counters stay with their
-- defaults (nothing writes them).
ALTER TABLE delay_node_snapshot ADD COLUMN address VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE delay_node_snapshot ADD COLUMN server_version VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE delay_node_snapshot ADD COLUMN started_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delay_node_snapshot ADD COLUMN heap_used BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delay_node_snapshot ADD COLUMN heap_max BIGINT NOT NULL DEFAULT 0;
