package io.hourglass.core.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads with names an operator can find in a thread dump. A server's background threads never keep the JVM
 * alive on their own: each component stops its threads in its {@code close()}.
 */
public final class NamedThreads implements ThreadFactory {

    private final String name;
    private final boolean numbered;
    private final AtomicInteger count = new AtomicInteger();

    private NamedThreads(String name, boolean numbered) {
        this.name = name;
        this.numbered = numbered;
    }

    /** Threads all named exactly {@code name} (for an executor of one thread). */
    public static NamedThreads single(String name) {
        return new NamedThreads(name, false);
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, ... (for a pool). */
    public static NamedThreads numbered(String prefix) {
        return new NamedThreads(prefix, true);
    }

    /** A daemon thread named {@code name} running {@code body}, not yet started. */
    public static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public Thread newThread(Runnable body) {
        return daemon(numbered ? name + "-" + count.incrementAndGet() : name, body);
    }
}
