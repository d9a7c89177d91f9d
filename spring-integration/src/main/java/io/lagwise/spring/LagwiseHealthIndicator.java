package io.lagwise.spring;

import io.lagwise.core.ClusterSnapshot;
import io.lagwise.core.Health;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.jdbc.LagwiseDataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Actuator health of a {@link LagwiseDataSource}, as {@code lagwise} under {@code /actuator/health}:
 * DOWN when the master is unreachable or writes are refused (a split brain, a read-only master: writes
 * fail); UP otherwise, even with replicas down, lagging
 * or stopped, since reads then fall back. Details per node: role, region, backup, health, up,
 * lag in ms and its source, Seconds_Behind_Master, round-trip time in ms, pool use, last error.
 * Reads the monitor's last snapshot: it never queries a server itself.
 */
public final class LagwiseHealthIndicator implements HealthIndicator {

    private final LagwiseDataSource dataSource;

    /**
     * Reports on {@code dataSource}.
     *
     * @param dataSource the data source
     */
    public LagwiseHealthIndicator(LagwiseDataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public org.springframework.boot.health.contributor.Health health() {
        if (dataSource.isClosed()) {
            return org.springframework.boot.health.contributor.Health.down()
                    .withDetail("error", dataSource.name() + " is closed").build();
        }
        ClusterSnapshot cluster = dataSource.cluster();
        NodeSnapshot master = cluster.master();
        boolean refused = cluster.writesRefused().isPresent();
        var health = master.health() == Health.DOWN || refused
                ? org.springframework.boot.health.contributor.Health.down()
                : org.springframework.boot.health.contributor.Health.up();
        long readable = cluster.replicas().stream().filter(r -> r.health() == Health.UP).count();
        health.withDetail("name", cluster.name());
        health.withDetail("writes", refused ? "refused: " + cluster.writesRefused().get()
                : master.health() == Health.DOWN ? "failing: the master is unreachable" : "master " + master.name());
        health.withDetail("masterChanges", cluster.masterChanges());
        health.withDetail("reads", readable > 0 ? readable + " of " + cluster.replicas().size() + " replicas"
                : master.health() == Health.DOWN ? "none" : "master (no replica can take reads)");
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (NodeSnapshot n : cluster.nodes()) {
            nodes.put(n.name(), details(n));
        }
        health.withDetail("nodes", nodes);
        return health.build();
    }

    static Map<String, Object> details(NodeSnapshot n) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("role", n.role().name().toLowerCase(java.util.Locale.ROOT));
        if (!n.region().isEmpty()) {
            d.put("region", n.region());
        }
        if (n.backup()) {
            d.put("backup", true);
        }
        d.put("health", n.health().name());
        d.put("up", n.health() != Health.DOWN);
        n.lag().ifPresent(lag -> d.put("lagMs", millis(lag)));
        n.lagSource().ifPresent(source -> d.put("lagSource", source.name().toLowerCase(java.util.Locale.ROOT)));
        if (n.secondsBehindMaster().isPresent()) {
            d.put("secondsBehindMaster", n.secondsBehindMaster().getAsLong());
        }
        n.roundTrip().ifPresent(rtt -> d.put("roundTripMs", millis(rtt)));
        d.put("poolActive", n.poolActive());
        d.put("poolTotal", n.poolTotal());
        if (!n.lastError().isEmpty()) {
            d.put("lastError", n.lastError());
        }
        return d;
    }

    private static double millis(Duration d) {
        return Math.round(d.toNanos() / 10_000.0) / 100.0; // two decimals
    }
}
