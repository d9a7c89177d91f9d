package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LatencyHistogramTest {

    private static final long MICRO = 1_000L;
    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long HOUR = 3_600L * SECOND;
    private static final double[] QUANTILES = {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0};

    private final LatencyHistogram histogram = new LatencyHistogram();

    @Test
    void empty_reportsZeroEverywhere() {
        assertThat(histogram.count()).isZero();
        assertThat(histogram.min()).isZero();
        assertThat(histogram.max()).isZero();
        assertThat(histogram.mean()).isZero();
        assertThat(histogram.percentile(0.5)).isZero();
        assertThat(histogram.percentile(0.0)).isZero();
        assertThat(histogram.percentile(1.0)).isZero();
        assertThat(histogram.snapshot()).isEqualTo(new LatencyHistogram.Snapshot(0, 0, 0, 0.0, 0, 0, 0, 0));
    }

    @Test
    void singleValue_isReportedExactlyByEveryFigure() {
        histogram.record(12_345_678L);

        assertThat(histogram.count()).isEqualTo(1);
        assertThat(histogram.min()).isEqualTo(12_345_678L);
        assertThat(histogram.max()).isEqualTo(12_345_678L);
        assertThat(histogram.mean()).isEqualTo(12_345_678.0);
        for (double q : QUANTILES) {
            assertThat(histogram.percentile(q)).as("q=%s", q).isEqualTo(12_345_678L);
        }
    }

    @Test
    void uniformDistribution_percentilesWithinOnePercent() {
        Random random = new Random(42);
        assertPercentilesWithinOnePercent(() -> MILLI + (long) (random.nextDouble() * 99 * MILLI), 100_000);
    }

    @Test
    void exponentialDistribution_percentilesWithinOnePercent() {
        Random random = new Random(7);
        assertPercentilesWithinOnePercent(
                () -> 50 * MICRO + (long) (-Math.log(1 - random.nextDouble()) * 2 * MILLI), 100_000);
    }

    @Test
    void logUniformDistributionOverWholeRange_percentilesWithinOnePercent() {
        Random random = new Random(3);
        double span = Math.log((double) HOUR / MICRO);
        assertPercentilesWithinOnePercent(() -> (long) (MICRO * Math.exp(random.nextDouble() * span)), 200_000);
    }

    @Test
    void bimodalDistribution_tailPercentilesLandInTheSlowMode() {
        // 98% fast reads at ~1ms, 2% slow ones at ~200ms: p50 is fast, p99 is slow.
        for (int i = 0; i < 9_800; i++) {
            histogram.record(MILLI);
        }
        for (int i = 0; i < 200; i++) {
            histogram.record(200 * MILLI);
        }

        assertThat((double) histogram.percentile(0.50)).isCloseTo(MILLI, withinPercentage(1));
        assertThat((double) histogram.percentile(0.98)).isCloseTo(MILLI, withinPercentage(1));
        assertThat((double) histogram.percentile(0.99)).isCloseTo(200 * MILLI, withinPercentage(1));
    }

    @Test
    void mean_isExactNotBucketed() {
        histogram.record(1_000_001L);
        histogram.record(2_000_003L);
        histogram.record(3_000_005L);

        assertThat(histogram.mean()).isCloseTo(2_000_003.0, within(1e-6));
    }

    @Test
    void percentile_isWithinHalfABucketOfTheRecordedValue() {
        // A value between two others is reported as its bucket's middle: within 1/256 (0.4%).
        for (long value = 2 * MICRO; value < HOUR; value += value / 37 + 1) {
            histogram.reset();
            histogram.record(MICRO);
            histogram.record(value);
            histogram.record(HOUR);

            double error = Math.abs(histogram.percentile(0.5) - value) / (double) value;
            assertThat(error).as("value %d", value).isLessThanOrEqualTo(1.0 / 256);
        }
    }

    @Test
    void everyBucket_isNarrowerThanOnePercentOfItsValues() {
        for (int i = 0; i < LatencyHistogram.bucketCount(); i++) {
            long lower = LatencyHistogram.lowerBound(i);
            long width = LatencyHistogram.width(i);
            assertThat((double) width / lower).as("bucket %d", i).isLessThanOrEqualTo(1.0 / 128);
            if (lower >= LatencyHistogram.LOWEST && lower <= LatencyHistogram.HIGHEST) {
                assertThat(LatencyHistogram.index(lower)).as("bucket %d lower bound", i).isEqualTo(i);
                assertThat(LatencyHistogram.index(lower + width - 1)).as("bucket %d top", i).isEqualTo(i);
            }
        }
    }

    @Test
    void bucketIndex_coversTheWholeRangeInOrder() {
        assertThat(LatencyHistogram.index(LatencyHistogram.LOWEST)).isGreaterThanOrEqualTo(0);
        assertThat(LatencyHistogram.index(LatencyHistogram.HIGHEST)).isLessThan(LatencyHistogram.bucketCount());
        int previous = -1;
        for (long value = LatencyHistogram.LOWEST; value <= LatencyHistogram.HIGHEST; value += value / 97 + 1) {
            int index = LatencyHistogram.index(value);
            assertThat(index).isGreaterThanOrEqualTo(previous);
            assertThat(value).isBetween(LatencyHistogram.lowerBound(index),
                    LatencyHistogram.lowerBound(index) + LatencyHistogram.width(index) - 1);
            previous = index;
        }
    }

    @Test
    void valuesBelowOneMicrosecond_areClampedAndCounted() {
        histogram.record(0);
        histogram.record(999);

        assertThat(histogram.count()).isEqualTo(2);
        assertThat(histogram.clampedCount()).isEqualTo(2);
        assertThat(histogram.min()).isEqualTo(MICRO);
        assertThat(histogram.max()).isEqualTo(MICRO);
        assertThat(histogram.percentile(0.5)).isEqualTo(MICRO);
    }

    @Test
    void valuesAboveOneHour_areClampedAndCounted() {
        histogram.record(HOUR + 1);
        histogram.record(Long.MAX_VALUE);
        histogram.record(MILLI);

        assertThat(histogram.count()).isEqualTo(3);
        assertThat(histogram.clampedCount()).isEqualTo(2);
        assertThat(histogram.max()).isEqualTo(HOUR);
        assertThat(histogram.percentile(1.0)).isEqualTo(HOUR);
        assertThat((double) histogram.percentile(0.9)).isCloseTo(HOUR, withinPercentage(1));
        assertThat(histogram.mean()).isCloseTo((2.0 * HOUR + MILLI) / 3, within(1.0));
    }

    @Test
    void boundaryValues_areNotClamped() {
        histogram.record(MICRO);
        histogram.record(HOUR);

        assertThat(histogram.clampedCount()).isZero();
        assertThat(histogram.min()).isEqualTo(MICRO);
        assertThat(histogram.max()).isEqualTo(HOUR);
    }

    @Test
    void record_negativeValue_isRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> histogram.record(-5));

        assertThat(e).hasMessage("latency cannot be negative: -5 ns");
        assertThat(histogram.count()).isZero();
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.01, 1.01, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY})
    void percentile_outsideZeroToOne_isRejectedWithTheValue(double q) {
        assertThatThrownBy(() -> histogram.percentile(q))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quantile must be between 0.0 and 1.0, was " + q);
    }

    @Test
    void percentile_badQuantile_isRejectedEvenWhenEmpty() {
        assertThatThrownBy(() -> histogram.percentile(2.0))
                .hasMessage("quantile must be between 0.0 and 1.0, was 2.0");
    }

    @Test
    void reset_forgetsEverything() {
        histogram.record(5 * MILLI);
        histogram.record(0);
        histogram.reset();

        assertThat(histogram.count()).isZero();
        assertThat(histogram.clampedCount()).isZero();
        assertThat(histogram.min()).isZero();
        assertThat(histogram.max()).isZero();
        assertThat(histogram.percentile(0.5)).isZero();
        assertThat(histogram.snapshot().count()).isZero();

        histogram.record(3 * MILLI);
        assertThat(histogram.min()).isEqualTo(3 * MILLI);
        assertThat(histogram.percentile(0.5)).isEqualTo(3 * MILLI);
    }

    @Test
    void snapshot_agreesWithTheIndividualReadings() {
        for (long v = 1; v <= 10_000; v++) {
            histogram.record(v * 10 * MICRO);
        }

        LatencyHistogram.Snapshot snapshot = histogram.snapshot();

        assertThat(snapshot.count()).isEqualTo(10_000);
        assertThat(snapshot.min()).isEqualTo(10 * MICRO);
        assertThat(snapshot.max()).isEqualTo(100 * MILLI);
        assertThat(snapshot.mean()).isEqualTo(histogram.mean());
        assertThat(snapshot.p50()).isEqualTo(histogram.percentile(0.5));
        assertThat(snapshot.p90()).isEqualTo(histogram.percentile(0.9));
        assertThat(snapshot.p99()).isEqualTo(histogram.percentile(0.99));
        assertThat(snapshot.p999()).isEqualTo(histogram.percentile(0.999));
        assertThat((double) snapshot.p999()).isCloseTo(99.9 * MILLI, withinPercentage(1));
    }

    @Test
    void snapshot_isNotChangedByLaterRecordings() {
        histogram.record(MILLI);
        LatencyHistogram.Snapshot snapshot = histogram.snapshot();

        histogram.record(SECOND);

        assertThat(snapshot.count()).isEqualTo(1);
        assertThat(snapshot.max()).isEqualTo(MILLI);
    }

    @Test
    void snapshot_toMillis_formatsWithThreeDecimalsWhateverTheLocale() {
        assertThat(LatencyHistogram.Snapshot.toMillis(1_234_567)).isEqualTo("1.235");
        assertThat(LatencyHistogram.Snapshot.toMillis(0)).isEqualTo("0.000");
        assertThat(LatencyHistogram.Snapshot.toMillis(250_000_000.0)).isEqualTo("250.000");
    }

    @Test
    void snapshot_toString_showsMilliseconds() {
        histogram.record(2 * MILLI);

        assertThat(histogram.snapshot().toString()).isEqualTo(
                "[count=1, min=2.000ms, mean=2.000ms, p50=2.000ms, p90=2.000ms, p99=2.000ms,"
                        + " p99.9=2.000ms, max=2.000ms]");
    }

    @Test
    void snapshot_negativeCount_isRejected() {
        assertThatThrownBy(() -> new LatencyHistogram.Snapshot(-1, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count cannot be negative: -1");
    }

    @Test
    void concurrentRecording_losesNothing() throws Exception {
        int threads = 8;
        int perThread = 100_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = (t + 1) * MILLI;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        histogram.record(base + i);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        long total = (long) threads * perThread;
        assertThat(histogram.count()).isEqualTo(total);
        assertThat(histogram.snapshot().count()).isEqualTo(total);
        assertThat(histogram.min()).isEqualTo(MILLI);
        assertThat(histogram.max()).isEqualTo(threads * MILLI + perThread - 1);
        assertThat((double) histogram.percentile(0.5)).isCloseTo(4 * MILLI + perThread - 1, withinPercentage(1));
    }

    private void assertPercentilesWithinOnePercent(LongSupplier distribution, int samples) {
        long[] values = new long[samples];
        for (int i = 0; i < samples; i++) {
            values[i] = distribution.getAsLong();
            histogram.record(values[i]);
        }
        Arrays.sort(values);

        assertThat(histogram.count()).isEqualTo(samples);
        assertThat(histogram.min()).isEqualTo(values[0]);
        assertThat(histogram.max()).isEqualTo(values[samples - 1]);
        assertThat(histogram.mean()).isCloseTo(Arrays.stream(values).average().orElseThrow(), withinPercentage(1e-9));
        for (double q : QUANTILES) {
            long exact = values[Math.max(0, (int) Math.ceil(q * samples) - 1)];
            assertThat((double) histogram.percentile(q)).as("q=%s", q).isCloseTo(exact, withinPercentage(1));
        }
    }
}
