package io.lagwise.testkit;

import java.time.Duration;
import java.util.Arrays;

/**
 * Measured lag samples, kept whole so percentiles are exact (test runs take hundreds or thousands
 * of samples, not millions).
 */
public final class LagSamples {

    private final long[] sortedNanos;

    LagSamples(long[] nanos) {
        this.sortedNanos = nanos.clone();
        Arrays.sort(sortedNanos);
    }

    /** How many samples there are. */
    public int count() {
        return sortedNanos.length;
    }

    /**
     * The {@code q}-quantile by the nearest-rank method, e.g. {@code percentile(0.99)}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= q <= 1}
     * @throws IllegalStateException if there are no samples
     */
    public Duration percentile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be within [0, 1]: " + q);
        }
        if (sortedNanos.length == 0) {
            throw new IllegalStateException("no samples");
        }
        int rank = (int) Math.ceil(q * sortedNanos.length);
        return Duration.ofNanos(sortedNanos[Math.max(0, rank - 1)]);
    }

    /** The largest sample. @throws IllegalStateException if there are no samples */
    public Duration max() {
        return percentile(1);
    }

    /** The smallest sample. @throws IllegalStateException if there are no samples */
    public Duration min() {
        return percentile(0);
    }

    /** The samples in nanoseconds, ascending. */
    public long[] nanos() {
        return sortedNanos.clone();
    }

    @Override
    public String toString() {
        if (sortedNanos.length == 0) {
            return "LagSamples[none]";
        }
        return String.format("LagSamples[n=%d, p50=%.1fms, p99=%.1fms, max=%.1fms]", count(),
                percentile(0.5).toNanos() / 1e6, percentile(0.99).toNanos() / 1e6, max().toNanos() / 1e6);
    }
}
