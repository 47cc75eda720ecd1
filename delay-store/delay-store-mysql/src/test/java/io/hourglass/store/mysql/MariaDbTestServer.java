package io.hourglass.store.mysql;

import io.hourglass.testsupport.TestService;
import org.springframework.context.ConfigurableApplicationContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real MariaDB that {@code scripts/lib/services.sh} starts (and {@code scripts/test.sh} always does): where it is,
 * a database of one's own on it, the production wiring on that database, and a restart of the server.
 *
 * <p>The server is given by {@value #URL_ENV} ({@code jdbc:mariadb://127.0.0.1:3306/hourglass}) with
 * {@value #USER_ENV} / {@value #PASSWORD_ENV}; the database in the URL is only used to connect and create
 * {@code hourglass_tck_<random>}, which the test uses and drops, so that runs never see each other's rows. The
 * server process (a restart, a kill) is {@link TestService#MARIADB}.
 */
final class MariaDbTestServer {

    static final String URL_ENV = "HOURGLASS_MARIADB_URL"; // TestService.MARIADB
    static final String USER_ENV = "HOURGLASS_MARIADB_USER";
    static final String PASSWORD_ENV = "HOURGLASS_MARIADB_PASSWORD";

    /**
     * Connector settings of the store on MariaDB (see docs/stores.md). The insert batch already goes out as one
     * COM_STMT_BULK_EXECUTE ({@code useBulkStmtsForInserts}, on by default in Connector/J 3.2+); {@code useBulkStmts}
     * would extend that to UPDATE batches, which the store does not make, and would turn their counts into
     * SUCCESS_NO_INFO. Short connect timeout: a server that is down is reported quickly.
     */
    static final String URL_FLAGS = "connectTimeout=5000";

    private static final Pattern JDBC_URL =
            Pattern.compile("^(jdbc:(?:mariadb|mysql)://[^/?]+)(?:/([^?]*))?(?:\\?(.*))?$");

    private final String serverUrl;
    private final String user;
    private final String password;
    /** The test's own database. */
    final String database;

    private MariaDbTestServer(String serverUrl, String user, String password, String database) {
        this.serverUrl = serverUrl;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    /** Creates {@code hourglass_tck_<random>} on the server of {@value #URL_ENV}. */
    static MariaDbTestServer createDatabase() throws SQLException {
        String url = TestService.MARIADB.address();
        MariaDbTestServer server = new MariaDbTestServer(url, env(USER_ENV, "hourglass"), env(PASSWORD_ENV, "hourglass"),
                "hourglass_tck_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        server.execute("CREATE DATABASE `" + server.database + "`");
        return server;
    }

    /** Drops the test's database. */
    void dropDatabase() throws SQLException {
        execute("DROP DATABASE IF EXISTS `" + database + "`");
    }

    /** JDBC URL of the test's database, with the store's connector settings. */
    String url() {
        Matcher m = JDBC_URL.matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalStateException(URL_ENV + " is not a jdbc:mariadb://host:port/db URL: " + serverUrl);
        }
        String query = m.group(3) == null || m.group(3).isEmpty() ? URL_FLAGS : m.group(3) + "&" + URL_FLAGS;
        return m.group(1) + "/" + database + "?" + query;
    }

    /** The production wiring (DataSource, Flyway, MyBatis, the store's auto-configuration) on the test's database. */
    ConfigurableApplicationContext startStore(String... properties) {
        return startStoreAt(url(), properties);
    }

    /** The production wiring on the test's database at {@code jdbcUrl} (the same database, e.g. through a relay). */
    ConfigurableApplicationContext startStoreAt(String jdbcUrl, String... properties) {
        List<String> props = new ArrayList<>(List.of(
                "spring.datasource.username=" + user,
                "spring.datasource.password=" + password,
                // no gap locks, and claims/cancels skip rows others hold that their WHERE no longer matches
                "spring.datasource.hikari.transaction-isolation=TRANSACTION_READ_COMMITTED",
                "spring.datasource.hikari.connection-timeout=10000"));
        props.addAll(List.of(properties));
        return TestStoreApp.start(jdbcUrl, props.toArray(String[]::new));
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl, user, password);
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
