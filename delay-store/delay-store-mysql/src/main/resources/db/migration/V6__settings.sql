-- Settings the admin API keeps for the servers (AdminStore#putSetting): callback targets per topic, allowed
-- callback hosts and signing secrets per app. Few rows, read whole by prefix every few seconds by every server.
-- Same portability rules as V1 (MySQL 8, MariaDB 10.11, H2 2.3 in MODE=MySQL).
CREATE TABLE delay_setting (
    name       VARCHAR(255) NOT NULL,
    value      MEDIUMTEXT   NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 /*!50700 COLLATE = utf8mb4_bin */ /*M!100202 COLLATE = utf8mb4_nopad_bin */;
