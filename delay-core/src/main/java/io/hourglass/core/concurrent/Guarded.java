package io.hourglass.core.concurrent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A round of a background loop that must survive its own failures: an exception thrown by one round is logged,
 * counted under the loop's name, and the next round runs as planned. (An exception escaping a task of a
 * {@code ScheduledExecutorService} would silently cancel every later round.)
 */
public final class Guarded {

    private static final Logger log = LoggerFactory.getLogger(Guarded.class);

    private Guarded() {
    }

    /**
     * @param loop   the loop's name, the {@code loop} tag of the error counter
     * @param who    who runs it, for the log (a node id)
     * @param errors where failures are counted
     * @param round  one round
     */
    public static Runnable round(String loop, String who, LoopErrors errors, Runnable round) {
        return () -> run(loop, who, errors, round);
    }

    /** Runs one round (or a part of one) of {@code loop} now, guarded as {@link #round} describes. */
    public static void run(String loop, String who, LoopErrors errors, Runnable round) {
        try {
            round.run();
        } catch (Throwable t) {
            log.warn("[{}] {} failed; will run again", who, loop, t);
            errors.failed(loop);
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
