package io.hourglass.core.testing;

import io.hourglass.core.clock.DelayClock;

import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves by hand. */
public final class ManualClock implements DelayClock {
    private final AtomicLong now;

    public ManualClock(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long now() {
        return now.get();
    }

    public void set(long millis) {
        now.set(millis);
    }

    public long advance(long millis) {
        return now.addAndGet(millis);
    }
}
