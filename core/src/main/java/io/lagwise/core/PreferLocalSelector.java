package io.lagwise.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ReplicaSelector#preferLocal()}: one pass over the replicas, no allocation. Each usable
 * replica gets a tier (0 local, 1 local backup, 2 remote, 3 remote backup); the lowest tier wins,
 * then the fewest in-flight reads. Ties are broken by starting the scan at a rotating offset, so
 * two idle equal replicas take turns rather than the first taking everything.
 */
final class PreferLocalSelector implements ReplicaSelector {

    private final AtomicInteger turn = new AtomicInteger();

    @Override
    public int select(List<? extends ReplicaView> replicas, String localRegion, int excluded) {
        int n = replicas.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        int best = -1;
        int bestTier = Integer.MAX_VALUE;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int i = start + k < n ? start + k : start + k - n;
            if (i == excluded) {
                continue;
            }
            ReplicaView r = replicas.get(i);
            if (!r.usable()) {
                continue;
            }
            boolean local = localRegion == null || localRegion.equals(r.region());
            int tier = (local ? 0 : 2) + (r.backup() ? 1 : 0);
            int load = r.inFlight();
            if (tier < bestTier || (tier == bestTier && load < bestLoad)) {
                best = i;
                bestTier = tier;
                bestLoad = load;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "ReplicaSelector.preferLocal()";
    }
}
