package io.hourglass.bootstrap.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * The server with {@code --spring.profiles.active=mysql} on the real MariaDB of {@code scripts/lib/services.sh}
 * (a database of its own) and the real Kafka broker process.
 */
class MariaDbServerIT extends ExternalStoreServerContract {

    private final String database = "hourglass_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private String serverUrl;

    @Override
    String profile() {
        return "mysql";
    }

    @Override
    List<String> storeArgs() throws Exception {
        String url = ServerProcess.requiredEnv("HOURGLASS_MARIADB_URL", "start_mariadb");
        serverUrl = url.replaceFirst("^(jdbc:[a-z]+://[^/?]+).*$", "$1");
        execute("CREATE DATABASE `" + database + "`");
        return List.of(
                "--spring.datasource.url=" + serverUrl + "/" + database + "?connectTimeout=5000&socketTimeout=60000",
                "--spring.datasource.username=" + user(),
                "--spring.datasource.password=" + password());
    }

    @Override
    void dropStore() throws Exception {
        if (serverUrl != null) {
            execute("DROP DATABASE IF EXISTS `" + database + "`");
        }
    }

    @org.junit.jupiter.api.Test
    void theArchiveJobIsInQuartzsClusteredJobStoreInTheDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(serverUrl + "/" + database, user(), password());
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

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(serverUrl + "/", user(), password());
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String user() {
        String u = System.getenv("HOURGLASS_MARIADB_USER");
        return u == null ? "hourglass" : u;
    }

    private static String password() {
        String p = System.getenv("HOURGLASS_MARIADB_PASSWORD");
        return p == null ? "hourglass" : p;
    }
}
