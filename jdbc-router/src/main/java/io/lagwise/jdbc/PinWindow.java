package io.lagwise.jdbc;

import io.lagwise.core.LatencyHistogram;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long after a write a session whose write position is unknown (PIN mode, or a position that
 * could not be read) reads from the master: twice the p99 of the healthy replicas' lag over the last
 * minute (the worst current lag until samples exist), never below the configured minimum.
 *
 * <p>The monitor records lag samples and republishes the window after each replica probe, a few
 * times a second; readers get it from one volatile field. (A percentile copies the histogram's
 * buckets, ~33 KiB: that belongs on the monitor's thread, not on every read.)
 */
final class PinWindow {

    private static final long SAMPLE_WINDOW = TimeUnit.SECONDS.toNanos(60);

    private final long minimumNanos;
    private final LatencyHistogram samples = new LatencyHistogram();
    private long samplesSince;
    private volatile long nanos;

    PinWindow(long minimumNanos, long now) {
        this.minimumNanos = minimumNanos;
        this.samplesSince = now;
        this.nanos = minimumNanos;
    }

    /** The window now, in nanoseconds. */
    long nanos() {
        return nanos;
    }

    /** A healthy replica's lag, from the monitor (a probe thread per replica: synchronized). */
    synchronized void record(long lagNanos, long now) {
        if (now - samplesSince > SAMPLE_WINDOW) {
            samples.reset(); // the window follows the last minute's lag, not an old spike
            samplesSince = now;
        }
        samples.record(lagNanos);
    }

    /** Recomputes the window from the samples, or from the replicas' current lag when there are none. */
    synchronized void publish(List<Node> replicas) {
        long p99 = samples.count() > 0 ? samples.percentile(0.99) : 0;
        if (p99 == 0) {
            for (Node r : replicas) {
                p99 = Math.max(p99, r.lagNanos);
            }
        }
        nanos = Math.max(minimumNanos, 2 * p99);
    }
}
