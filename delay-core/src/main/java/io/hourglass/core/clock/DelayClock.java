package io.hourglass.core.clock;

/**
 * The only source of time in Hourglass: epoch milliseconds, UTC. Inject it; never call
 * {@code System.currentTimeMillis()} elsewhere, so tests can drive time with a manual clock.
 */
@FunctionalInterface
public interface DelayClock {

    /** Current time in epoch milliseconds (UTC). */
    long now();

    /** The wall clock of this machine. */
    static DelayClock system() {
        return SystemDelayClock.INSTANCE;
    }
}
