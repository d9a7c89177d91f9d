package io.lagwise.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that tests advance by hand, so that nothing in a test waits on real time. */
final class FakeTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
        return nanos.get();
    }

    FakeTicker advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a ticker cannot go back: " + duration);
        }
        nanos.addAndGet(duration.toNanos());
        return this;
    }
}
