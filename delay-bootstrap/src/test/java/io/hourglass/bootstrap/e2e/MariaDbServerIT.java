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
