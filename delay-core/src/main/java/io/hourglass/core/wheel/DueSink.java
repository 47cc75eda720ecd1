package io.hourglass.core.wheel;

/** Receives (fireAt, id) pairs. */
@FunctionalInterface
public interface DueSink {
    void accept(long fireAt, long id);
}
