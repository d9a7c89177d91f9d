package io.lagwise.jdbc;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counts of routing decisions since a {@link LagwiseDataSource} started: statements by
 * {@link RouteReason}, and the read-your-writes waits and fallbacks behind them. Immutable; taken by
 * {@link LagwiseDataSource#routingStats()}. The counts only grow, so they map onto monotonic
 * counters (Micrometer's {@code FunctionCounter}, Prometheus counters).
 *
 * @param statements statements routed, by reason (every reason present, zero when none)
 * @param readYourWritesWaits reads that waited on a replica for the session's writes
 * @param readYourWritesFallbacks reads that went to the master because no replica had the
 *     session's writes in time
 * @param readYourWritesBudgetWaits reads that would have gone to the master, where they cost less,
 *     and waited on a replica instead because the master budget was spent
 *     ({@code readYourWritesMasterBudget}); the reads that did go count as
 *     {@link RouteReason#MASTER_CHEAPER}
 */
public record RoutingStats(Map<RouteReason, Long> statements, long readYourWritesWaits,
        long readYourWritesFallbacks, long readYourWritesBudgetWaits) {

    /**
     * Copies {@code statements}; a reason it lacks counts as 0.
     *
     * @throws NullPointerException if {@code statements} or one of its counts is null
     */
    public RoutingStats {
        java.util.Objects.requireNonNull(statements, "statements");
        EnumMap<RouteReason, Long> all = new EnumMap<>(RouteReason.class);
        for (RouteReason r : RouteReason.values()) {
            all.put(r, 0L);
        }
        statements.forEach((r, n) -> all.put(java.util.Objects.requireNonNull(r, "reason"),
                java.util.Objects.requireNonNull(n, "count of " + r)));
        statements = java.util.Collections.unmodifiableMap(all);
    }

    /** Statements routed for {@code reason}. */
    public long routed(RouteReason reason) {
        return statements.getOrDefault(reason, 0L);
    }

    /** Reads routed to replicas. */
    public long replicaReads() {
        return routed(RouteReason.REPLICA) + routed(RouteReason.REPLICA_AFTER_WAIT);
    }

    /** Reads routed anywhere. */
    public long reads() {
        long n = 0;
        for (Map.Entry<RouteReason, Long> e : statements.entrySet()) {
            n += e.getKey().isRead() ? e.getValue() : 0;
        }
        return n;
    }

    /** Statements that may write (all on the master). */
    public long writes() {
        return routed(RouteReason.WRITE);
    }
}
