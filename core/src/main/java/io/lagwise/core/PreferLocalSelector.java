package io.lagwise.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ReplicaSelector#preferLocal()}: two passes over the replicas, no allocation. Each usable
 * replica gets a tier (0 local, 1 local backup, 2 remote, 3 remote backup); the first pass finds the
 * best tier and the nearest round-trip time in it, the second picks, among that tier's replicas
 * within the latency window of the nearest, the one with the fewest in-flight reads. Ties are broken
 * by starting the scan at a rotating offset, so equal replicas take turns.
 */
final class PreferLocalSelector implements ReplicaSelector {

    private final long windowNanos;
    private final AtomicInteger turn = new AtomicInteger();

    PreferLocalSelector(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    @Override
    public int select(List<? extends ReplicaView> replicas, String localRegion, int excluded) {
        int n = replicas.size();
        int bestTier = Integer.MAX_VALUE;
        long nearest = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            ReplicaView r = replicas.get(i);
            if (i == excluded || !r.usable()) {
                continue;
            }
            int tier = tier(r, localRegion);
            long rtt = r.roundTripNanos();
            if (tier < bestTier || (tier == bestTier && rtt < nearest)) {
                bestTier = tier;
                nearest = rtt;
            }
        }
        if (bestTier == Integer.MAX_VALUE) {
            return -1;
        }
        int start = Math.floorMod(turn.getAndIncrement(), n);
        int best = -1;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int i = start + k < n ? start + k : start + k - n;
            ReplicaView r = replicas.get(i);
            if (i == excluded || !r.usable() || tier(r, localRegion) != bestTier
                    || r.roundTripNanos() - nearest > windowNanos) {
                continue;
            }
            int load = r.inFlight();
            if (load < bestLoad) {
                best = i;
                bestLoad = load;
            }
        }
        return best;
    }

    private static int tier(ReplicaView r, String localRegion) {
        boolean local = localRegion == null || localRegion.equals(r.region());
        return (local ? 0 : 2) + (r.backup() ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ReplicaSelector.preferLocal(" + windowNanos / 1_000_000.0 + " ms)";
    }
}
