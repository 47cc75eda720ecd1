package io.hourglass.store.mysql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Guarantee 1 ("acknowledged means durable") on the embedded H2 database.
 *
 * <p>H2's MVStore writes committed transactions to its file from a background thread, every {@code WRITE_DELAY} ms
 * (500 by default): a commit returns before its data is in the file, and a process killed with SIGKILL loses
 * everything committed in that window (measured: thousands of acknowledged rows, even a just-created table). With
 * {@code WRITE_DELAY=0} every commit writes its chunk to the file before it returns, and a killed process loses
 * nothing (the data is in the OS page cache; H2 does not fsync per commit, so an OS crash or power loss can still
 * lose the last commits).
 *
 * <p>The setting is not persistent in H2 2.3: it belongs in the URL, e.g.
 * {@code jdbc:h2:file:./data/h2/hourglass;MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;NON_KEYWORDS=VALUE;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE}.
 * As a safety net, the store sets it at start when the URL forgot it, and says so.
 */
final class H2Durability {

    private static final Logger log = LoggerFactory.getLogger(H2Durability.class);

    private H2Durability() {
    }

    /** Makes every commit of an H2 file database reach the file before it returns; no-op for other databases. */
    static void enforceSynchronousCommits(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            if (!"H2".equals(md.getDatabaseProductName()) || md.getURL().startsWith("jdbc:h2:mem:")) {
                return;
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(
                         "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
                String delay = rs.next() ? rs.getString(1) : null;
                if (delay != null && !"0".equals(delay.trim())) {
                    st.execute("SET WRITE_DELAY 0");
                    log.warn("H2 WRITE_DELAY was {} ms: acknowledged messages could be lost if the process is killed."
                            + " Set it to 0 for this run; add ;WRITE_DELAY=0 to spring.datasource.url", delay);
                }
            }
        } catch (SQLException e) {
            log.warn("Could not check H2's WRITE_DELAY; make sure spring.datasource.url has ;WRITE_DELAY=0", e);
        }
    }
}
