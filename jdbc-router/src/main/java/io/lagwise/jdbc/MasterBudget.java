package io.lagwise.jdbc;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many reads read-your-writes may send to the master because it was cheaper there: {@code
 * readsPerWrite} for each write this data source made, spent within about a second. Past it, reads
 * wait on replicas (bounded by {@code readYourWritesMaxWait}), so that a burst of writes cannot move
 * the replicas' read load onto the master. Reads that go to the master because no replica caught up
 * in time, or because a session is pinned, are not counted: they have nowhere else to go.
 *
 * <p>A bucket of credit: each write adds {@code readsPerWrite}, each read taken spends one, and
 * what is left fades with a time constant of one second (writes are counted by the cluster; the
 * bucket learns of them when it is next asked). Asked only when the master is the cheaper place for
 * a read, under a short lock with no I/O.
 */
final class MasterBudget {

    private static final double FADE_NANOS = 1_000_000_000.0;
    private static final double MAX_CREDIT = 10_000;

    private final double readsPerWrite;
    private final LongAdder taken = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private double credit;
    private long creditAt;
    private long writesSeen;

    MasterBudget(double readsPerWrite, long now) {
        this.readsPerWrite = readsPerWrite;
        this.creditAt = now;
    }

    /** Takes one read from the budget if there is credit, given the writes made so far ({@code writesTotal}, cumulative). */
    boolean take(long now, long writesTotal) {
        boolean granted;
        synchronized (this) {
            long elapsed = now - creditAt;
            if (elapsed > 0) {
                credit *= Math.exp(-elapsed / FADE_NANOS);
                creditAt = now;
            }
            if (writesTotal > writesSeen) {
                credit = Math.min(MAX_CREDIT, credit + (writesTotal - writesSeen) * readsPerWrite);
                writesSeen = writesTotal;
            }
            granted = credit >= 1;
            if (granted) {
                credit -= 1;
            }
        }
        (granted ? taken : refused).increment();
        return granted;
    }

    /** Reads the budget let go to the master. */
    long taken() {
        return taken.sum();
    }

    /** Reads that would have gone to the master and waited on a replica instead: the budget was spent. */
    long refused() {
        return refused.sum();
    }
}
