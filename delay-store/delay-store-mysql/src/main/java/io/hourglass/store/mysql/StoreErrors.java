package io.hourglass.store.mysql;

import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.error.ValidationException;
import org.apache.ibatis.exceptions.PersistenceException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.TransactionException;

import java.sql.SQLException;

/**
 * The one place where database errors become the core's exceptions:
 * <ul>
 *   <li>a unique key hit (id or app + idempotency key) becomes {@link DuplicateMessageException};</li>
 *   <li>a value longer than its column becomes {@link ValidationException} (the caller's input, not the store);</li>
 *   <li>anything else the database, the pool or the transaction reports (connection refused, timeout, deadlock,
 *       a server gone away) becomes {@link StoreUnavailableException}: the caller may retry.</li>
 * </ul>
 * Programming errors (null arguments and the like) pass through unchanged.
 */
final class StoreErrors {

    /** MySQL/MariaDB ER_DUP_ENTRY and ER_DUP_ENTRY_WITH_KEY_NAME. */
    private static final int MYSQL_DUP_ENTRY = 1062;
    private static final int MYSQL_DUP_ENTRY_WITH_KEY_NAME = 1586;
    /** SQL standard "unique violation" (H2, PostgreSQL). MySQL reports the generic 23000 with a vendor code. */
    private static final String SQLSTATE_UNIQUE_VIOLATION = "23505";
    /** SQL standard "string data, right truncation" (H2, MySQL strict mode). */
    private static final String SQLSTATE_TOO_LONG = "22001";

    private StoreErrors() {
    }

    static RuntimeException translate(String action, RuntimeException e) {
        if (e instanceof DelayException) {
            return e;
        }
        if (isDuplicate(e)) {
            return new DuplicateMessageException(action + ": a message with this id or idempotency key exists", e);
        }
        if (hasSqlState(e, SQLSTATE_TOO_LONG)) {
            return new ValidationException("message", "has a field longer than the store allows (" + action + ")");
        }
        if (e instanceof DataAccessException || e instanceof TransactionException
                || e instanceof PersistenceException) {
            return new StoreUnavailableException(action + " failed: " + rootMessage(e), e);
        }
        return e;
    }

    static boolean isDuplicate(Throwable e) {
        if (e instanceof DuplicateKeyException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if (SQLSTATE_UNIQUE_VIOLATION.equals(sql.getSQLState())
                        || sql.getErrorCode() == MYSQL_DUP_ENTRY
                        || sql.getErrorCode() == MYSQL_DUP_ENTRY_WITH_KEY_NAME) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean hasSqlState(Throwable e, String state) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Runs one store call, its errors translated (see the class comment) and named after {@code action}. */
    static <T> T call(String action, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw translate(action, e);
        }
    }

    /**
     * {@link #call}, in a store transaction for its bound: on a database whose network went silent the call fails
     * after {@code delay.store.mysql.transaction-timeout} (+ 1 s), not the URL's {@code socketTimeout} (see
     * {@link BoundedTransactionManager}). Without a transaction template ({@code tx == null}) it is a plain call.
     */
    static <T> T bounded(org.springframework.transaction.support.TransactionTemplate tx, String action,
                         java.util.function.Supplier<T> work) {
        return tx == null ? call(action, work) : call(action, () -> tx.execute(status -> work.get()));
    }
}
