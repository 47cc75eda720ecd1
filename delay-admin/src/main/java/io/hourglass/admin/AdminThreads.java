package io.hourglass.admin;

import io.hourglass.core.spi.Coordinator;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadFactory;

/** The threads of the admin side: one per background task, named, daemon, each round of a loop guarded. */
final class AdminThreads {

    private static final Logger log = LoggerFactory.getLogger(AdminThreads.class);

    private AdminThreads() {
    }

    /** Makes daemon threads called {@code name} (each admin task has one thread: they never hold the JVM up). */
    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs one round (or part of one) of the background loop {@code loop}: a failure is logged once with the node,
     * counted in {@code hourglass.loop.errors{loop}}, and the loop goes on with its next round.
     */
    static void guarded(String loop, String what, Coordinator coordinator, MeterRegistry registry, Runnable round) {
        try {
            round.run();
        } catch (Throwable t) {
            log.warn("[node={} loop={}] {} failed: {}", coordinator.nodeId(), loop, what, t.toString());
            registry.counter("hourglass.loop.errors", "loop", loop).increment();
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
