package io.lagwise.core;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A thread-safe histogram of durations in nanoseconds, with fixed memory and about 1% precision.
 *
 * <h2>Design</h2>
 * The buckets are log-linear, as in HdrHistogram: each power of two from 2<sup>9</sup> ns to
 * 2<sup>41</sup> ns is split into 128 buckets of equal width, so a bucket is never wider than
 * 1/128 of the values it holds. A percentile is reported as the middle of its bucket, which puts
 * it within 0.4% of the recorded value. That covers 1 µs to 1 hour in 4,224 counters (33 KiB),
 * whatever the number of recordings.
 *
 * <p>Values below 1 µs are recorded as 1 µs and values above 1 hour as 1 hour; {@link
 * #clampedCount()} says how many were. They still count, so {@link #count()} is the number of
 * calls to {@link #record(long)} since the last {@link #reset()}.
 *
 * <p>{@link #record(long)} is lock-free and allocates nothing: a few atomic operations on an
 * {@link AtomicLongArray} and four {@link AtomicLong}s. Readers ({@link #percentile(double)},
 * {@link #snapshot()}) copy the counters, so they are slower and meant for reporting, not for a
 * hot path. A reading taken while other threads record is not atomic: it may include some of the
 * recordings in flight and not others. {@link #reset()} racing with {@link #record(long)} may keep
 * or drop the racing recordings.
 */
public final class LatencyHistogram {

    /** The lowest value tracked without clamping: 1 µs. */
    static final long LOWEST = 1_000L;

    /** The highest value tracked without clamping: 1 hour. */
    static final long HIGHEST = 3_600_000_000_000L;

    private static final int SUB_BUCKET_BITS = 7;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int LOWEST_EXPONENT = exponent(LOWEST);
    private static final int HIGHEST_EXPONENT = exponent(HIGHEST);
    private static final int BUCKETS = (HIGHEST_EXPONENT - LOWEST_EXPONENT + 1) * SUB_BUCKETS;

    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong clamped = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong(0L);

    /** Creates an empty histogram. */
    public LatencyHistogram() {}

    /**
     * Records one duration.
     *
     * @param nanos the duration in nanoseconds; below 1 µs counts as 1 µs, above 1 hour as 1 hour
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public void record(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("latency cannot be negative: " + nanos + " ns");
        }
        long value = nanos;
        if (value < LOWEST) {
            value = LOWEST;
            clamped.incrementAndGet();
        } else if (value > HIGHEST) {
            value = HIGHEST;
            clamped.incrementAndGet();
        }
        buckets.incrementAndGet(index(value));
        // The sum of clamped values cannot overflow before 2.5 million hour-long recordings.
        sum.addAndGet(value);
        count.incrementAndGet();
        long low;
        while (value < (low = min.get()) && !min.compareAndSet(low, value)) {
            // retry: another thread lowered the minimum meanwhile
        }
        long high;
        while (value > (high = max.get()) && !max.compareAndSet(high, value)) {
            // retry: another thread raised the maximum meanwhile
        }
    }

    /**
     * Returns the number of durations recorded since creation or the last {@link #reset()},
     * clamped ones included.
     *
     * @return the number of recordings
     */
    public long count() {
        return count.get();
    }

    /**
     * Returns how many recorded durations were outside 1 µs .. 1 hour and recorded as the nearer
     * bound.
     *
     * @return the number of clamped recordings
     */
    public long clampedCount() {
        return clamped.get();
    }

    /**
     * Returns the smallest recorded duration, after clamping.
     *
     * @return the minimum in nanoseconds, or 0 if nothing was recorded
     */
    public long min() {
        long value = min.get();
        return value == Long.MAX_VALUE ? 0L : value;
    }

    /**
     * Returns the largest recorded duration, after clamping.
     *
     * @return the maximum in nanoseconds, or 0 if nothing was recorded
     */
    public long max() {
        return max.get();
    }

    /**
     * Returns the exact arithmetic mean of the recorded durations, after clamping.
     *
     * @return the mean in nanoseconds, or 0 if nothing was recorded
     */
    public double mean() {
        long n = count.get();
        return n == 0 ? 0.0 : (double) sum.get() / n;
    }

    /**
     * Returns the duration that a fraction {@code q} of the recordings do not exceed, within about
     * 0.4%.
     *
     * <p>{@code percentile(0.0)} is {@link #min()}, {@code percentile(1.0)} is {@link #max()},
     * {@code percentile(0.99)} is the 99th percentile.
     *
     * @param q the quantile, from 0.0 to 1.0 inclusive
     * @return the duration in nanoseconds, or 0 if nothing was recorded
     * @throws IllegalArgumentException if {@code q} is below 0.0, above 1.0 or NaN
     */
    public long percentile(double q) {
        requireQuantile(q);
        long[] copy = new long[BUCKETS];
        long total = copyBuckets(copy);
        return percentile(copy, total, q, min(), max());
    }

    /**
     * Forgets every recording.
     *
     * <p>Recordings made by other threads while this runs may be kept or lost.
     */
    public void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            buckets.set(i, 0L);
        }
        count.set(0L);
        clamped.set(0L);
        sum.set(0L);
        min.set(Long.MAX_VALUE);
        max.set(0L);
    }

    /**
     * Returns the main figures at once, computed from one copy of the counters.
     *
     * @return an immutable snapshot; all zero if nothing was recorded
     */
    public Snapshot snapshot() {
        long[] copy = new long[BUCKETS];
        long total = copyBuckets(copy);
        if (total == 0) {
            return new Snapshot(0, 0, 0, 0.0, 0, 0, 0, 0);
        }
        long low = min();
        long high = max();
        return new Snapshot(
                total,
                low,
                high,
                mean(),
                percentile(copy, total, 0.50, low, high),
                percentile(copy, total, 0.90, low, high),
                percentile(copy, total, 0.99, low, high),
                percentile(copy, total, 0.999, low, high));
    }

    @Override
    public String toString() {
        return "LatencyHistogram" + snapshot();
    }

    private long copyBuckets(long[] copy) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long n = buckets.get(i);
            copy[i] = n;
            total += n;
        }
        return total;
    }

    /**
     * Finds the bucket holding the recording of rank ceil(q × total), as HdrHistogram does, and
     * reports its middle, kept within the recorded extremes so that a histogram of one value
     * reports that value.
     */
    private static long percentile(long[] copy, long total, double q, long low, long high) {
        if (total == 0) {
            return 0L;
        }
        if (q == 0.0) {
            return low;
        }
        if (q == 1.0) {
            return high;
        }
        long rank = Math.max(1L, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += copy[i];
            if (seen >= rank) {
                long middle = lowerBound(i) + (width(i) >> 1);
                return Math.min(Math.max(middle, low), high);
            }
        }
        return high; // only reachable if counters moved between the copy and the total
    }

    private static void requireQuantile(double q) {
        if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("quantile must be between 0.0 and 1.0, was " + q);
        }
    }

    /** Index of the bucket for a value already clamped to LOWEST..HIGHEST. */
    static int index(long value) {
        int exponent = exponent(value);
        int subBucket = (int) (value >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
        return ((exponent - LOWEST_EXPONENT) << SUB_BUCKET_BITS) | subBucket;
    }

    /** Smallest value that falls in bucket {@code index}. */
    static long lowerBound(int index) {
        int exponent = (index >>> SUB_BUCKET_BITS) + LOWEST_EXPONENT;
        long subBucket = SUB_BUCKETS + (index & (SUB_BUCKETS - 1));
        return subBucket << (exponent - SUB_BUCKET_BITS);
    }

    /** Number of distinct values that fall in bucket {@code index}. */
    static long width(int index) {
        int exponent = (index >>> SUB_BUCKET_BITS) + LOWEST_EXPONENT;
        return 1L << (exponent - SUB_BUCKET_BITS);
    }

    static int bucketCount() {
        return BUCKETS;
    }

    private static int exponent(long value) {
        return 63 - Long.numberOfLeadingZeros(value);
    }

    /**
     * The main figures of a {@link LatencyHistogram} at one moment, all in nanoseconds.
     *
     * @param count the number of recordings
     * @param min the smallest recording
     * @param max the largest recording
     * @param mean the arithmetic mean
     * @param p50 the median
     * @param p90 the 90th percentile
     * @param p99 the 99th percentile
     * @param p999 the 99.9th percentile
     */
    public record Snapshot(
            long count, long min, long max, double mean, long p50, long p90, long p99, long p999) {

        /**
         * Creates a snapshot.
         *
         * @param count the number of recordings
         * @param min the smallest recording
         * @param max the largest recording
         * @param mean the arithmetic mean
         * @param p50 the median
         * @param p90 the 90th percentile
         * @param p99 the 99th percentile
         * @param p999 the 99.9th percentile
         * @throws IllegalArgumentException if {@code count} is negative
         */
        public Snapshot {
            if (count < 0) {
                throw new IllegalArgumentException("count cannot be negative: " + count);
            }
        }

        /**
         * Formats a duration in nanoseconds as milliseconds with three decimals and no unit, for
         * tables: {@code 1_234_567} becomes {@code "1.235"}.
         *
         * @param nanos a duration in nanoseconds
         * @return the duration in milliseconds, formatted independently of the default locale
         */
        public static String toMillis(double nanos) {
            return String.format(Locale.ROOT, "%.3f", nanos / 1_000_000.0);
        }

        /**
         * Returns the figures in milliseconds, for logs and demos:
         * {@code [count=1000, min=0.101ms, mean=0.250ms, p50=0.240ms, ...]}.
         */
        @Override
        public String toString() {
            return "[count=" + count
                    + ", min=" + toMillis(min) + "ms"
                    + ", mean=" + toMillis(mean) + "ms"
                    + ", p50=" + toMillis(p50) + "ms"
                    + ", p90=" + toMillis(p90) + "ms"
                    + ", p99=" + toMillis(p99) + "ms"
                    + ", p99.9=" + toMillis(p999) + "ms"
                    + ", max=" + toMillis(max) + "ms]";
        }
    }
}
