package io.hourglass.core.clock;

/** The wall clock: the one place that reads {@link System#currentTimeMillis()}. */
final class SystemDelayClock implements DelayClock {
    static final SystemDelayClock INSTANCE = new SystemDelayClock();

    private SystemDelayClock() {
    }

    @Override
    public long now() {
        return System.currentTimeMillis();
    }

    @Override
    public String toString() {
        return "SystemDelayClock";
    }
}
