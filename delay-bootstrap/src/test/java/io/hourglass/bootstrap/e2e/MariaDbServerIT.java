package io.hourglass.bootstrap.e2e;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * The server with {@code --spring.profiles.active=mysql} on the real MariaDB of {@code scripts/lib/services.sh}
 * (a database of its own) and the real Kafka broker process.
 */
class MariaDbServerIT extends ExternalStoreServerContract {

    private MariaDbTestDatabase database;

    @Override
    String profile() {
        return "mysql";
    }

    @Override
    List<String> storeArgs() throws Exception {
        database = MariaDbTestDatabase.create("hourglass_e2e_", 10);
        return database.serverArgs();
    }

    @Override
    void dropStore() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @org.junit.jupiter.api.Test
    void theArchiveJobIsInQuartzsClusteredJobStoreInTheDatabase() throws Exception {
        try (Connection c = database.connect();
             Statement s = c.createStatement()) {
            var triggers = s.executeQuery("SELECT TRIGGER_NAME FROM QRTZ_CRON_TRIGGERS");
            org.assertj.core.api.Assertions.assertThat(triggers.next()).as("the archive trigger is stored").isTrue();
            org.assertj.core.api.Assertions.assertThat(triggers.getString(1)).isEqualTo("hourglass-archive");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                try (var state = s.executeQuery("SELECT COUNT(*) FROM QRTZ_SCHEDULER_STATE")) {
                    return state.next() && state.getInt(1) >= 1; // the server checked in as a cluster member
                }
            });
        }
    }
}
