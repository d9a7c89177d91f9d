package io.lagwise.benchmarks.contenders;

import io.lagwise.core.LatencyHistogram;
import java.lang.management.ManagementFactory;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/** The workloads of the comparison, run on any {@link Contender} by a number of threads for a while. */
public final class Workloads {

    /** Rows of the point-operation table. */
    public static final int ITEMS = 10_000;

    /** Throughput, latency and allocation of point operations. */
    public record Point(long ops, long failures, double opsPerSecond, double p50Micros, double p99Micros,
            double bytesPerOp) {}

    /**
     * What a read-your-writes workload saw; latencies in microseconds: of the read that follows a
     * user's write at once, and of the writes.
     */
    public record Ryw(long ops, long reads, long stale, long replicaReads, long failures, double opsPerSecond,
            double readAfterWriteP50Micros, double readAfterWriteP99Micros, double writeP50Micros) {
        /** Share of reads served by replicas, 0 to 1. */
        public double replicaShare() {
            return reads == 0 ? 0 : (double) replicaReads / reads;
        }
    }

    /** Something to do to the topology at a moment of a run, e.g. stop a replica's SQL thread. */
    public record Event(double atFraction, String what, Runnable action) {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final int masterServerId;
    private final AtomicLong generation = new AtomicLong(1);

    /**
     * Workloads against a topology whose master has {@code masterServerId}.
     *
     * @param masterServerId the master's {@code @@server_id}, to tell replica reads from master reads
     */
    public Workloads(int masterServerId) {
        this.masterServerId = masterServerId;
    }

    /** A 1-row primary-key select, by {@code threads} threads for {@code duration}. */
    public Point pointReads(Contender c, int threads, Duration duration) throws InterruptedException {
        return point(threads, duration, (rnd, t) -> c.read(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT v, pad FROM bench_item WHERE id = ?")) {
                ps.setInt(1, 1 + rnd.nextInt(ITEMS));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            }
        }));
    }

    /** A 1-row primary-key update, by {@code threads} threads for {@code duration}. */
    public Point pointWrites(Contender c, int threads, Duration duration) throws InterruptedException {
        return point(threads, duration, (rnd, t) -> c.write(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE bench_item SET v = v + 1 WHERE id = ?")) {
                ps.setInt(1, 1 + rnd.nextInt(ITEMS));
                return (long) ps.executeUpdate();
            }
        }));
    }

    /**
     * Each thread is a user with a row of its own. With {@code writeShare} 1, every round writes a
     * new value and reads it back at once; otherwise each operation writes with that probability
     * and reads otherwise. A read older than the user's last write is stale. {@code events} run at
     * their moment of the run (a fault, its repair).
     */
    public Ryw readYourWrites(Contender c, int threads, Duration duration, double writeShare, List<Event> events)
            throws InterruptedException {
        return readYourWrites(c, threads, duration, writeShare, Duration.ZERO, events);
    }

    /**
     * As {@link #readYourWrites(Contender, int, Duration, double, List)}, each user pausing about
     * {@code think} (half to one and a half times it) before each operation, as people do between
     * pages; with {@code writeShare} 1 the pause comes before each write and its read-back.
     */
    public Ryw readYourWrites(Contender c, int threads, Duration duration, double writeShare, Duration think,
            List<Event> events) throws InterruptedException {
        LatencyHistogram afterWrite = new LatencyHistogram();
        LatencyHistogram writeLatency = new LatencyHistogram();
        long thinkNanos = think.toNanos();
        long base = generation.getAndIncrement() * 1_000_000_000L;
        LongAdder ops = new LongAdder();
        LongAdder reads = new LongAdder();
        LongAdder stale = new LongAdder();
        LongAdder onReplicas = new LongAdder();
        LongAdder failures = new LongAdder();
        long deadline = System.nanoTime() + duration.toNanos();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int user = t + 1;
            Thread w = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(user);
                long written = -1;
                long next = base;
                try {
                    while (System.nanoTime() < deadline) {
                        boolean write = written < 0 || writeShare >= 1 || rnd.nextDouble() < writeShare;
                        if (thinkNanos > 0) {
                            // Spread around the mean, so that users do not march in step.
                            LockSupport.parkNanos((long) (thinkNanos * (0.5 + rnd.nextDouble())));
                        }
                        try {
                            if (write) {
                                long value = ++next;
                                long w0 = System.nanoTime();
                                c.write(conn -> {
                                    try (PreparedStatement ps = conn.prepareStatement(
                                            "UPDATE bench_user SET v = ? WHERE id = ?")) {
                                        ps.setLong(1, value);
                                        ps.setInt(2, user);
                                        return ps.executeUpdate();
                                    }
                                });
                                writeLatency.record(System.nanoTime() - w0);
                                written = value;
                                ops.increment();
                            }
                            if (!write || writeShare >= 1) {
                                long r0 = System.nanoTime();
                                long[] seen = c.read(conn -> {
                                    try (PreparedStatement ps = conn.prepareStatement(
                                            "SELECT v, @@server_id FROM bench_user WHERE id = ?")) {
                                        ps.setInt(1, user);
                                        try (ResultSet rs = ps.executeQuery()) {
                                            rs.next();
                                            return new long[] {rs.getLong(1), rs.getLong(2)};
                                        }
                                    }
                                });
                                if (write) {
                                    afterWrite.record(System.nanoTime() - r0);
                                }
                                ops.increment();
                                reads.increment();
                                if (seen[0] < written) {
                                    stale.increment();
                                }
                                if (seen[1] != masterServerId) {
                                    onReplicas.increment();
                                }
                            }
                        } catch (SQLException | RuntimeException e) {
                            failures.increment();
                            if (write) {
                                written = -1; // unknown whether it committed: the next round writes again
                            }
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "ryw-" + user);
            w.setDaemon(true);
            workers.add(w);
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        // Faults run on a thread of their own: a restart that takes seconds must not stretch the
        // measured time, nor stop the workers being awaited.
        Thread faults = new Thread(() -> {
            for (Event e : events) {
                long wait = start + (long) (duration.toNanos() * e.atFraction()) - System.nanoTime();
                try {
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    e.action().run();
                } catch (InterruptedException | RuntimeException ex) {
                    System.err.println("fault event '" + e.what() + "' failed: " + ex);
                }
            }
        }, "faults");
        faults.setDaemon(true);
        faults.start();
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        faults.join();
        return new Ryw(ops.sum(), reads.sum(), stale.sum(), onReplicas.sum(), failures.sum(), ops.sum() / seconds,
                afterWrite.percentile(0.50) / 1000.0, afterWrite.percentile(0.99) / 1000.0,
                writeLatency.percentile(0.50) / 1000.0);
    }

    @FunctionalInterface
    private interface Op {
        long run(SplittableRandom rnd, int thread) throws SQLException;
    }

    private static Point point(int threads, Duration duration, Op op) throws InterruptedException {
        LatencyHistogram latency = new LatencyHistogram();
        LongAdder ops = new LongAdder();
        LongAdder failures = new LongAdder();
        LongAdder allocated = new LongAdder();
        long deadline = System.nanoTime() + duration.toNanos();
        CountDownLatch done = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(thread * 31L + 7);
                long id = Thread.currentThread().getId();
                long bytesBefore = THREADS.getThreadAllocatedBytes(id); // -1 where the JVM cannot tell
                long n = 0;
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= deadline) {
                            break;
                        }
                        try {
                            op.run(rnd, thread);
                            latency.record(System.nanoTime() - t0);
                            n++;
                        } catch (SQLException | RuntimeException e) {
                            failures.increment();
                        }
                    }
                } finally {
                    long bytesAfter = THREADS.getThreadAllocatedBytes(id);
                    allocated.add(bytesBefore < 0 || bytesAfter < 0 ? 0 : bytesAfter - bytesBefore);
                    ops.add(n);
                    done.countDown();
                }
            }, "point-" + t);
            w.setDaemon(true);
            w.start();
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        long n = ops.sum();
        return new Point(n, failures.sum(), n / seconds, latency.percentile(0.50) / 1000.0,
                latency.percentile(0.99) / 1000.0, n == 0 ? 0 : (double) allocated.sum() / n);
    }
}
