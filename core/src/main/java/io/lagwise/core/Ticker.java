package io.lagwise.core;

/**
 * A source of monotonic time in nanoseconds.
 *
 * <p>Everything in Lagwise that measures an interval (lag, round-trip time, timeouts, backoff)
 * reads time through a ticker, never through the wall clock, so that a clock step cannot make a
 * replica look fresh or stale, and so that tests advance a fake ticker instead of sleeping.
 *
 * <p>Only differences between two readings of the same ticker are meaningful.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the number of nanoseconds elapsed since an arbitrary, fixed origin.
     *
     * <p>Successive readings never decrease.
     *
     * @return the current reading, in nanoseconds
     */
    long read();

    /**
     * Returns the ticker backed by {@link System#nanoTime()}.
     *
     * @return the shared system ticker; it holds no state
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

/** The system ticker; an enum so that it is a stateless singleton without static mutable state. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
