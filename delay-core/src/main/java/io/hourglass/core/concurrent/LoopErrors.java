package io.hourglass.core.concurrent;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Where a loop reports a failed round; the server counts them in {@code hourglass.loop.errors{loop}} so that an
 * alert sees a loop that keeps failing while the process looks alive.
 */
@FunctionalInterface
public interface LoopErrors {

    /** Counts nowhere (a component used outside a server). */
    LoopErrors NONE = loop -> { };

    void failed(String loop);

    /** Makes the loop's count exist at 0 before its first failure (an alert on {@code increase()} sees the first). */
    default void register(String loop) {
    }

    /** Counts in {@code hourglass.loop.errors{loop}} of {@code registry}; nowhere ({@link #NONE}) when it is null. */
    static LoopErrors counter(MeterRegistry registry) {
        if (registry == null) {
            return NONE;
        }
        return new LoopErrors() {
            @Override
            public void failed(String loop) {
                registry.counter(METER, "loop", loop).increment();
            }

            @Override
            public void register(String loop) {
                registry.counter(METER, "loop", loop);
            }
        };
    }

    /** The counter's name. */
    String METER = "hourglass.loop.errors";
}
