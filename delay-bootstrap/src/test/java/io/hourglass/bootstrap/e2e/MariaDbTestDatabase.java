package io.hourglass.bootstrap.e2e;

import io.hourglass.testsupport.TestService;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * A database of the test's own on the real MariaDB of {@code scripts/lib/services.sh} (env HOURGLASS_MARIADB_URL,
 * _USER, _PASSWORD, set by scripts/test.sh): created by {@link #create}, dropped by {@link #close}.
 */
public final class MariaDbTestDatabase implements AutoCloseable {

    private final String serverUrl;
    private final String name;

    private MariaDbTestDatabase(String serverUrl, String name) {
        this.serverUrl = serverUrl;
        this.name = name;
    }

    /** Creates {@code <prefix><random>} on the server. */
    public static MariaDbTestDatabase create(String prefix, int randomChars) throws SQLException {
        String url = TestService.MARIADB.address();
        MariaDbTestDatabase db = new MariaDbTestDatabase(url.replaceFirst("^(jdbc:[a-z]+://[^/?]+).*$", "$1"),
                prefix + UUID.randomUUID().toString().replace("-", "").substring(0, randomChars));
        db.executeOnServer("CREATE DATABASE `" + db.name + "`");
        return db;
    }

    /** JDBC URL of this database. */
    public String url() {
        return serverUrl + "/" + name;
    }

    public String user() {
        return env("HOURGLASS_MARIADB_USER");
    }

    public String password() {
        return env("HOURGLASS_MARIADB_PASSWORD");
    }

    /** The arguments that point a server (profile mysql) at this database. */
    public List<String> serverArgs() {
        return List.of(
                "--spring.datasource.url=" + url() + "?connectTimeout=5000&socketTimeout=60000",
                "--spring.datasource.username=" + user(),
                "--spring.datasource.password=" + password());
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user(), password());
    }

    /** Drops the database. */
    @Override
    public void close() throws SQLException {
        executeOnServer("DROP DATABASE IF EXISTS `" + name + "`");
    }

    private void executeOnServer(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl + "/", user(), password());
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? "hourglass" : v;
    }
}
