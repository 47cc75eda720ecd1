package io.hourglass.message.http;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most {@code permitsPerHost} callbacks in flight per host; the rest wait in a FIFO queue <em>asynchronously</em>:
 * {@link #acquire} never blocks, it hands back a future that completes when a permit is free. Whoever completes the
 * permit's future runs the dependent stage, so callers continue with an {@code *Async} stage on their own executor.
 *
 * <p>One gate per host, kept for the life of the limiter: hosts come from configured targets, so they are few.
 * Thread-safe.
 */
final class HostLimiter {

    private final int permitsPerHost;
    private final ConcurrentMap<String, Gate> gates = new ConcurrentHashMap<>();

    HostLimiter(int permitsPerHost) {
        if (permitsPerHost < 1) {
            throw new IllegalArgumentException("permitsPerHost must be at least 1: " + permitsPerHost);
        }
        this.permitsPerHost = permitsPerHost;
    }

    /** A permit for {@code host}; {@link Permit#release()} it exactly once when the request is over. */
    CompletableFuture<Permit> acquire(String host) {
        return gates.computeIfAbsent(host, h -> new Gate()).acquire();
    }

    /** Requests of {@code host} waiting for a permit (for tests and metrics). */
    int waiting(String host) {
        Gate gate = gates.get(host);
        return gate == null ? 0 : gate.waiting();
    }

    /** A held permit. */
    interface Permit {
        void release();
    }

    private final class Gate {
        private final Queue<CompletableFuture<Permit>> waiters = new ArrayDeque<>();
        private int inUse;

        CompletableFuture<Permit> acquire() {
            CompletableFuture<Permit> permit = new CompletableFuture<>();
            synchronized (this) {
                if (inUse >= permitsPerHost) {
                    waiters.add(permit);
                    return permit;
                }
                inUse++;
            }
            permit.complete(newPermit());
            return permit;
        }

        private Permit newPermit() {
            AtomicBoolean released = new AtomicBoolean();
            return () -> {
                if (released.compareAndSet(false, true)) {
                    release();
                }
            };
        }

        private void release() {
            CompletableFuture<Permit> next;
            synchronized (this) {
                next = waiters.poll();
                if (next == null) {
                    inUse--;
                    return;
                }
            }
            next.complete(newPermit()); // the permit passes on: inUse stays
        }

        synchronized int waiting() {
            return waiters.size();
        }
    }
}
