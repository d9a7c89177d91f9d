package io.lagwise.spring;

import io.lagwise.core.ClusterSnapshot;
import io.lagwise.core.Health;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.RouteReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of a {@link LagwiseDataSource}. Per node, tagged {@code datasource},
 * {@code node}, {@code role} and {@code region} ({@code none} for the master):
 * <ul>
 *   <li>{@code lagwise.replication.lag} (time gauge): the lag routing uses; NaN until known</li>
 *   <li>{@code lagwise.replication.seconds.behind.master} (gauge): Seconds_Behind_Master, NaN when NULL</li>
 *   <li>{@code lagwise.node.round.trip} (time gauge): the smoothed round-trip time of a trivial query</li>
 *   <li>{@code lagwise.node.up} (gauge): 1 when reachable, else 0</li>
 *   <li>{@code lagwise.node.readable} (gauge): 1 when the node takes reads now (replicas: healthy and fresh), else 0</li>
 *   <li>{@code lagwise.node.statements} (counter): statements run on the node</li>
 *   <li>{@code lagwise.node.master} (gauge): 1 for the node writes go to now (after a followed promotion, the promoted one), else 0</li>
 * </ul>
 * Per data source, tagged {@code datasource}:
 * <ul>
 *   <li>{@code lagwise.statements.routed} (counter), tagged {@code kind} (read|write), {@code target}
 *       (master|replica) and {@code reason} (see {@link RouteReason})</li>
 *   <li>{@code lagwise.read.your.writes.waits} and {@code lagwise.read.your.writes.fallbacks} (counters)</li>
 * </ul>
 * Each node's HikariCP pool reports HikariCP's own {@code hikaricp.connections.*} meters, tagged
 * {@code pool=<name>.master@host:port} or {@code <name>.replica[i]@host:port}. Meters read the
 * monitor's snapshot, taken at most every 100 ms: scraping never queries a server.
 */
public final class LagwiseMetrics implements MeterBinder {

    private static final long SNAPSHOT_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LagwiseDataSource dataSource;
    private volatile ClusterSnapshot snapshot;
    private volatile long takenAt;

    /**
     * Meters for {@code dataSource}.
     *
     * @param dataSource the data source
     */
    public LagwiseMetrics(LagwiseDataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String name = dataSource.name();
        for (NodeSnapshot node : dataSource.cluster().nodes()) {
            String nodeName = node.name();
            Tags tags = Tags.of("datasource", name, "node", nodeName,
                    "role", node.role().name().toLowerCase(Locale.ROOT),
                    "region", node.region().isEmpty() ? "none" : node.region());
            TimeGauge.builder("lagwise.replication.lag", this, TimeUnit.MILLISECONDS,
                            m -> m.millis(nodeName, NodeSnapshot::lag))
                    .tags(tags).description("How far the node trails the master, as routing sees it")
                    .register(registry);
            Gauge.builder("lagwise.replication.seconds.behind.master", this, m -> m.node(nodeName,
                            n -> n.secondsBehindMaster().isPresent() ? n.secondsBehindMaster().getAsLong() : Double.NaN))
                    .tags(tags).baseUnit("seconds").description("Seconds_Behind_Master as the server reports it")
                    .register(registry);
            TimeGauge.builder("lagwise.node.round.trip", this, TimeUnit.MILLISECONDS,
                            m -> m.millis(nodeName, NodeSnapshot::roundTrip))
                    .tags(tags).description("Smoothed round-trip time of a trivial query").register(registry);
            Gauge.builder("lagwise.node.up", this, m -> m.node(nodeName, n -> n.health() == Health.DOWN ? 0 : 1))
                    .tags(tags).description("1 when the node answers, else 0").register(registry);
            Gauge.builder("lagwise.node.readable", this, m -> m.node(nodeName, n -> n.health() == Health.UP ? 1 : 0))
                    .tags(tags).description("1 when the node takes reads now, else 0").register(registry);
            FunctionCounter.builder("lagwise.node.statements", this, m -> m.node(nodeName, NodeSnapshot::statementsServed))
                    .tags(tags).description("Statements run on the node").register(registry);
            Gauge.builder("lagwise.node.master", this, m -> m.snapshot().master().name().equals(nodeName) ? 1 : 0)
                    .tags(tags).description("1 for the node writes go to now (a followed promotion moves it; the role tag is the configured one), else 0")
                    .register(registry);
        }
        FunctionCounter.builder("lagwise.master.changes", this, m -> m.snapshot().masterChanges())
                .tags("datasource", name).description("Promotions followed since start").register(registry);
        Gauge.builder("lagwise.writes.refused", this, m -> m.snapshot().writesRefused().isPresent() ? 1 : 0)
                .tags("datasource", name).description("1 while writes are refused (split brain, read-only master), else 0")
                .register(registry);
        for (RouteReason reason : RouteReason.values()) {
            FunctionCounter.builder("lagwise.statements.routed", dataSource, ds -> ds.routingStats().routed(reason))
                    .tags("datasource", name, "kind", reason.isRead() ? "read" : "write",
                            "target", reason.target().name().toLowerCase(Locale.ROOT),
                            "reason", reason.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .description("Statements routed, by where they ran and why").register(registry);
        }
        FunctionCounter.builder("lagwise.read.your.writes.waits", dataSource,
                        ds -> ds.routingStats().readYourWritesWaits())
                .tags("datasource", name).description("Reads that waited on a replica for the session's writes")
                .register(registry);
        FunctionCounter.builder("lagwise.read.your.writes.budget.waits", dataSource,
                        ds -> ds.routingStats().readYourWritesBudgetWaits())
                .tags("datasource", name)
                .description("Reads that would have been cheaper on the master and waited on a replica: the master budget was spent")
                .register(registry);
        FunctionCounter.builder("lagwise.read.your.writes.fallbacks", dataSource,
                        ds -> ds.routingStats().readYourWritesFallbacks())
                .tags("datasource", name)
                .description("Reads sent to the master because no replica had the session's writes in time")
                .register(registry);
    }

    private double node(String nodeName, ToDoubleFunction<NodeSnapshot> value) {
        NodeSnapshot n = snapshot().node(nodeName);
        return n == null ? Double.NaN : value.applyAsDouble(n);
    }

    private double millis(String nodeName, java.util.function.Function<NodeSnapshot, Optional<Duration>> duration) {
        return node(nodeName, n -> duration.apply(n).map(d -> d.toNanos() / 1e6).orElse(Double.NaN));
    }

    private ClusterSnapshot snapshot() {
        long now = System.nanoTime();
        ClusterSnapshot s = snapshot;
        if (s == null || now - takenAt > SNAPSHOT_TTL_NANOS) {
            s = dataSource.cluster();
            snapshot = s;
            takenAt = now;
        }
        return s;
    }
}
