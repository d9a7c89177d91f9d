package io.lagwise.core;

import java.util.List;

/**
 * Chooses the replica a read goes to. An SPI: frameworks may plug in their own policy; the default
 * is {@link #preferLocal()}.
 *
 * <p>Implementations are called on every routed read, from many threads at once: they must be
 * thread-safe, must not block, and should not allocate.
 */
@FunctionalInterface
public interface ReplicaSelector {

    /**
     * Picks a replica.
     *
     * @param replicas every replica, in configuration order (never empty)
     * @param localRegion the application's own region, or {@code null} if none was configured
     * @param excluded the index of a replica that must not be chosen (one that just failed this
     *     read), or {@code -1}
     * @return the index of the chosen replica in {@code replicas}, or {@code -1} when none is usable
     */
    int select(List<? extends ReplicaView> replicas, String localRegion, int excluded);

    /**
     * The default policy with a 5 ms latency window; see {@link #preferLocal(java.time.Duration)}.
     */
    static ReplicaSelector preferLocal() {
        return new PreferLocalSelector(java.time.Duration.ofMillis(5).toNanos());
    }

    /**
     * The default policy, as the design describes: among usable replicas, the local region first,
     * then non-backup before backup (so the order of preference is local, local backup, remote,
     * remote backup); within the best group, the nearest by round-trip time, with every replica
     * within {@code latencyWindow} of the nearest counted as equally near; among those, the one
     * serving the fewest reads now, ties broken in turn so that equal replicas share the load.
     *
     * @throws IllegalArgumentException if the window is negative
     */
    static ReplicaSelector preferLocal(java.time.Duration latencyWindow) {
        if (latencyWindow == null || latencyWindow.isNegative()) {
            throw new IllegalArgumentException("latencyWindow cannot be negative: " + latencyWindow);
        }
        return new PreferLocalSelector(latencyWindow.toNanos());
    }
}
