package io.hourglass.core.concurrent;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The life of a component that is started once and closed once: {@code NEW -> RUNNING -> CLOSED}, or
 * {@code NEW -> CLOSED} when it is closed without having started. Thread-safe.
 */
public final class Lifecycle {

    public enum State { NEW, RUNNING, CLOSED }

    private final String what;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /** @param what the component's name, for the error of a second start */
    public Lifecycle(String what) {
        this.what = what;
    }

    /** Moves to RUNNING; a second start, or a start after close, is a programming error. */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException(what + " can be started once (it is " + state.get() + ")");
        }
    }

    /**
     * Moves to CLOSED and returns the state it was in: only the call that sees {@code RUNNING} stops what started;
     * {@code NEW} still releases what the constructor acquired; {@code CLOSED} means another call did it all.
     */
    public State close() {
        return state.getAndSet(State.CLOSED);
    }

    public boolean running() {
        return state.get() == State.RUNNING;
    }

    public State state() {
        return state.get();
    }
}
