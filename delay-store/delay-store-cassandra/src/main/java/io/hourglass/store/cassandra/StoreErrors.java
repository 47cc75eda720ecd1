package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.error.ValidationException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where driver errors become the core's exceptions:
 * <ul>
 *   <li>a mutation the server refuses as too large becomes {@link ValidationException} (the caller's input);</li>
 *   <li>anything else the driver reports (no node available, timeouts, unavailable replicas, overload, a node
 *       restarting) becomes {@link StoreUnavailableException}: the caller may retry;</li>
 *   <li>the core's own exceptions (a duplicate found by the store) pass unchanged, as do programming errors.</li>
 * </ul>
 * Futures' wrappers ({@link CompletionException}) are taken off first.
 */
final class StoreErrors {

    private StoreErrors() {
    }

    static RuntimeException translate(String action, Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof DelayException d) {
            return d;
        }
        if (t instanceof InvalidQueryException q && q.getMessage() != null
                && q.getMessage().toLowerCase().contains("too large")) {
            return new ValidationException("message", "is larger than the store allows (" + action + ")");
        }
        if (t instanceof DriverException) {
            return new StoreUnavailableException(action + " failed: " + t.getClass().getSimpleName() + ": "
                    + firstLine(t.getMessage()), t);
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(action + " failed", t);
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
