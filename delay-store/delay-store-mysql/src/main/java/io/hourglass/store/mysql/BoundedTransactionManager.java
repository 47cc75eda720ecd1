package io.hourglass.store.mysql;

import org.springframework.core.InfrastructureProxy;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The store's transaction manager: a transaction with a timeout also bounds the socket reads of its connection to
 * that timeout (plus {@link #GRACE_MS}), with {@link Connection#setNetworkTimeout}, from the moment the connection is
 * taken from the pool (before the {@code autocommit} switch, itself a round trip) until the transaction ends.
 *
 * <p>Why: Spring turns the transaction timeout into JDBC query timeouts, which MariaDB Connector/J enforces on the
 * server ({@code SET STATEMENT max_statement_time=...}). That stops a slow statement, but a connection whose network
 * went silent (a frozen or partitioned database host, a hung proxy) never hears the server: without this bound the
 * begin, a statement or the commit waits for the URL's {@code socketTimeout} (60 s in the documented URL), or forever
 * without one, and so do the store's group-commit writer and every submit queued behind it. With the bound the call
 * fails with {@code StoreUnavailableException} after about {@code delay.store.mysql.transaction-timeout}; the driver drops
 * the connection and the pool replaces it. The connection's previous network timeout is put back when the
 * transaction ends (HikariCP also resets it when the connection returns to the pool). Connections without a socket
 * (H2 embedded) or drivers without network timeouts are left as they are.
 *
 * <p>The DataSource is wrapped only to see the connection as the transaction takes it; the wrapper is an
 * {@link InfrastructureProxy}, so the transaction's connection is bound under the application's own DataSource and
 * MyBatis (which asks that DataSource) runs its statements in it.
 */
final class BoundedTransactionManager extends JdbcTransactionManager {

    /** Added to the transaction timeout, so that the server-side statement timeout normally answers first. */
    static final int GRACE_MS = 1_000;
    private static final Executor DIRECT = Runnable::run;
    /** The network timeout (ms) for the connection that the transaction beginning on this thread is taking. */
    private static final ThreadLocal<Integer> BEGINNING = new ThreadLocal<>();
    /** The network timeout the connection of this thread's transaction had before, to put back at its end. */
    private static final ThreadLocal<Integer> PREVIOUS = new ThreadLocal<>();

    BoundedTransactionManager(DataSource dataSource) {
        super(new Bounding(dataSource));
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {
        int timeoutSeconds = determineTimeout(definition);
        if (timeoutSeconds > 0) {
            BEGINNING.set(Math.toIntExact(TimeUnit.SECONDS.toMillis(timeoutSeconds) + GRACE_MS));
        }
        try {
            super.doBegin(transaction, definition);
        } finally {
            BEGINNING.remove();
        }
    }

    @Override
    protected void doCleanupAfterCompletion(Object transaction) {
        Integer previous = PREVIOUS.get();
        if (previous != null) {
            PREVIOUS.remove();
            if (TransactionSynchronizationManager.getResource(obtainDataSource()) instanceof ConnectionHolder holder) {
                try {
                    Connection con = holder.getConnection();
                    if (!con.isClosed()) {
                        con.setNetworkTimeout(DIRECT, previous);
                    }
                } catch (SQLException | RuntimeException e) {
                    // a broken connection: the pool discards it anyway
                }
            }
        }
        super.doCleanupAfterCompletion(transaction);
    }

    /** Sets the network timeout on the connection a beginning transaction takes. */
    private static final class Bounding extends DelegatingDataSource implements InfrastructureProxy {

        Bounding(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return bound(super.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return bound(super.getConnection(username, password));
        }

        private static Connection bound(Connection con) throws SQLException {
            Integer millis = BEGINNING.get();
            if (millis != null) {
                try {
                    int previous = con.getNetworkTimeout();
                    con.setNetworkTimeout(DIRECT, millis);
                    PREVIOUS.set(previous);
                } catch (SQLFeatureNotSupportedException | UnsupportedOperationException | AbstractMethodError e) {
                    // no socket to bound (H2 embedded) or an old driver
                }
            }
            return con;
        }

        @Override
        public Object getWrappedObject() {
            return obtainTargetDataSource();
        }
    }
}
