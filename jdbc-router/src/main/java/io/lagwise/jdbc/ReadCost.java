package io.lagwise.jdbc;

/**
 * Read-your-writes by expected cost: when the replica a read would use has not shown the session's
 * writes yet, is it cheaper to wait there or to read the master? A pure decision, on figures the
 * monitor and earlier waits measured, all on the application's own clock:
 *
 * <ul>
 *   <li><b>waiting</b> costs the replica's round trip plus the time it still needs: its apply
 *       delay (how long after a commit, as seen from here, it shows the write) less the time since
 *       the session's write;</li>
 *   <li><b>the master</b> costs its round trip from here, stretched by how busy this data source
 *       keeps its pool ({@code rtt × inFlight / free}: nothing when idle, without bound when full).</li>
 * </ul>
 *
 * The master wins only when it costs less by at least a round trip (so a replica that should have the
 * write by now keeps the read, whatever the noise in the round trips), and always when the wait would
 * run past {@code maxWait}
 * (the read would end up there anyway, later). An application next to the master reads it at once
 * (0.3 ms beside 40 ms of lag); one in another region, next to a replica, waits briefly there (its
 * write's reply took as long to come back as the replica needs).
 */
final class ReadCost {

    private ReadCost() {}

    /**
     * Whether the master is the cheaper place for a read-your-writes read now.
     *
     * @param masterRttNanos the master's smoothed round trip from here (0: not measured yet)
     * @param masterInFlight the master connections this data source has in use
     * @param masterPoolSize the master pool's size
     * @param replicaRttNanos the replica's smoothed round trip from here
     * @param applyDelayNanos how long after a commit the replica shows it, as seen from here
     * @param sinceWriteNanos time since the session's newest write committed
     * @param maxWaitNanos {@code readYourWritesMaxWait}
     */
    static boolean masterCheaper(long masterRttNanos, int masterInFlight, int masterPoolSize, long replicaRttNanos,
            long applyDelayNanos, long sinceWriteNanos, long maxWaitNanos) {
        long remaining = remaining(applyDelayNanos, sinceWriteNanos);
        if (remaining > maxWaitNanos) {
            return true; // the wait would time out and read the master after all
        }
        if (masterRttNanos <= 0) {
            return false; // not measured yet: no reason to believe the master is cheaper
        }
        int free = masterPoolSize - masterInFlight;
        if (free <= 0) {
            return false; // every master connection is busy: a read there would queue behind them
        }
        long master = masterRttNanos + masterRttNanos * Math.max(0, masterInFlight) / free;
        // The master must save at least a round trip: a replica that should have the write by now (the
        // estimate says no time remains) keeps the read, rather than the master winning on noise.
        long margin = Math.max(masterRttNanos, replicaRttNanos);
        return master + margin < replicaRttNanos + remaining;
    }

    private static long remaining(long applyDelayNanos, long sinceWriteNanos) {
        return Math.max(0, applyDelayNanos - Math.max(0, sinceWriteNanos));
    }
}
