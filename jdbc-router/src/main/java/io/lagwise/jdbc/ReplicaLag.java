package io.lagwise.jdbc;

import io.lagwise.core.LagSource;

/**
 * A replica's lag as the monitor judges it from what one probe found, and where the figure came
 * from. A pure decision, kept apart from the probe's I/O so that every case is tested with plain
 * numbers.
 *
 * @param nanos the lag, in nanoseconds
 * @param source the measurement the figure came from
 */
record ReplicaLag(long nanos, LagSource source) {

    private static final long SECOND = 1_000_000_000L;

    /**
     * Chooses the lag from the measurements one probe has.
     *
     * <ul>
     *   <li>A fresh heartbeat figure wins when it is the larger of the fine ones: a heartbeat wait
     *       that timed out is only a lower bound.</li>
     *   <li>Otherwise the GTID timeline, when positions are known; otherwise
     *       {@code Seconds_Behind_Master} as the server says it.</li>
     *   <li>{@code Seconds_Behind_Master} is a floor for the fine figures (it sees an SQL thread
     *       that is slow to apply), but only one second below what it says: it subtracts the second
     *       of the commit from the second of the replica's clock, so 40 ms of lag reads 1 whenever
     *       a second boundary falls in between (MySQL 8.0 shows it on one probe in five at 40 ms).
     *       When the floor is above the fine figure, the floor is the lag (and grows with it).
     *       And it is no floor at all when the replica has applied everything the master had: then
     *       a figure above 0 is stale (MySQL reports a few seconds for a moment after a restart).</li>
     * </ul>
     *
     * @param heartbeatNanos the heartbeat lag if fresh, else negative
     * @param timelineNanos the GTID-timeline lag, or negative when positions are unknown
     * @param secondsBehind {@code Seconds_Behind_Master}, or negative when NULL
     * @param caughtUp whether the replica has applied all the master was known to have
     */
    static ReplicaLag choose(long heartbeatNanos, long timelineNanos, long secondsBehind, boolean caughtUp) {
        long lag;
        LagSource source;
        if (heartbeatNanos >= 0 && heartbeatNanos >= timelineNanos) {
            lag = heartbeatNanos;
            source = LagSource.HEARTBEAT;
        } else if (timelineNanos >= 0) {
            lag = timelineNanos;
            source = LagSource.GTID_TIMELINE;
        } else {
            return new ReplicaLag(Math.max(0, secondsBehind) * SECOND, LagSource.SECONDS_BEHIND_MASTER);
        }
        long floor = (secondsBehind - 1) * SECOND;
        if (!caughtUp && secondsBehind > 1 && floor > lag) {
            return new ReplicaLag(floor, LagSource.SECONDS_BEHIND_MASTER);
        }
        return new ReplicaLag(lag, source);
    }
}
