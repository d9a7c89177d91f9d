package io.lagwise.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Consistency;
import io.lagwise.core.Health;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every condition of the auto-configurations, on a real topology: which beans appear with and
 * without properties, the application's own beans, Actuator, Micrometer and the servlet API absent;
 * every builder setting reaching the data source; bad values failing start-up by name.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class LagwiseConditionsTest {

    private static final AutoConfigurations ALL = AutoConfigurations.of(LagwiseAutoConfiguration.class,
            LagwiseOperationsAutoConfiguration.class, LagwiseWebAutoConfiguration.class,
            LagwiseConsistencyAutoConfiguration.class,
            org.springframework.boot.autoconfigure.aop.AopAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(ALL);
    private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(ALL);

    @Test
    void withoutMasterUrl_nothingAppears() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(LagwiseDataSource.class);
            assertThat(context).doesNotHaveBean(LagwiseHealthIndicator.class);
            assertThat(context).doesNotHaveBean(LagwiseMetrics.class);
            assertThat(context).doesNotHaveBean("lagwiseReadConsistencyAdvisor");
        });
    }

    @Test
    void withProperties_everyPartAppears_andTheFilterOnlyInAServletApp(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).run(context -> {
            assertThat(context).hasSingleBean(LagwiseDataSource.class);
            assertThat(context).hasSingleBean(LagwiseHealthIndicator.class);
            assertThat(context).hasSingleBean(LagwiseMetrics.class);
            assertThat(context).hasBean("lagwiseReadConsistencyAdvisor");
            assertThat(context).doesNotHaveBean(ConsistencyTokenFilter.class);
        });
        web.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).run(context ->
                assertThat(context).hasSingleBean(ConsistencyTokenFilter.class));
        web.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).withPropertyValues(
                "lagwise.web.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(ConsistencyTokenFilter.class));
    }

    @Test
    void aUserDataSourceOfAnotherKind_turnsEverythingOff(ReplicationTopology topology) {
        web.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withUserConfiguration(LagwiseAutoConfigurationTest.OwnDataSource.class).run(context -> {
                    assertThat(context).hasSingleBean(DataSource.class);
                    assertThat(context).doesNotHaveBean(LagwiseDataSource.class);
                    assertThat(context).doesNotHaveBean(LagwiseHealthIndicator.class);
                    assertThat(context).doesNotHaveBean(LagwiseMetrics.class);
                    assertThat(context).doesNotHaveBean(ConsistencyTokenFilter.class);
                });
    }

    @Test
    void aUserLagwiseDataSource_getsHealthMetricsAndTheFilter(ReplicationTopology topology) {
        OwnLagwise.topology = topology;
        web.withUserConfiguration(OwnLagwise.class).run(context -> {
            assertThat(context).hasSingleBean(LagwiseDataSource.class);
            assertThat(context.getBean(LagwiseDataSource.class).name()).isEqualTo("own");
            assertThat(context).hasSingleBean(LagwiseHealthIndicator.class);
            assertThat(context).hasSingleBean(LagwiseMetrics.class);
            assertThat(context).hasSingleBean(ConsistencyTokenFilter.class);
        });
    }

    @Test
    void withoutActuator_noHealthIndicator_butTheRestWorks(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.health")).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(LagwiseDataSource.class);
                    assertThat(context).doesNotHaveBean(LagwiseHealthIndicator.class);
                    assertThat(context).hasSingleBean(LagwiseMetrics.class);
                });
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withPropertyValues("management.health.lagwise.enabled=false").run(context ->
                        assertThat(context).doesNotHaveBean(LagwiseHealthIndicator.class));
    }

    @Test
    void withoutMicrometer_noMeters_andNoPoolMetrics_butTheRestWorks(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withClassLoader(new FilteredClassLoader("io.micrometer")).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(LagwiseDataSource.class);
                    assertThat(context).doesNotHaveBean(LagwiseMetrics.class);
                    assertThat(context).doesNotHaveBean(LagwiseDataSourceCustomizer.class);
                    assertThat(context).hasSingleBean(LagwiseHealthIndicator.class);
                });
    }

    @Test
    void withoutTheServletApi_noFilter(ReplicationTopology topology) {
        web.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withClassLoader(new FilteredClassLoader("org.springframework.web.filter")).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(ConsistencyTokenFilter.class);
                });
    }

    @Test
    void poolSettings_reachEachNodesPool_andTheMonitorSettingsApply(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).withPropertyValues(
                "lagwise.name=shop",
                "lagwise.pool.maximum-pool-size=3",
                "lagwise.pool.minimum-idle=3",
                "lagwise.replicas[1].pool.maximum-pool-size=2",
                "lagwise.replicas[1].pool.minimum-idle=2",
                "lagwise.master.pool.minimum-idle=1",
                "lagwise.monitor.interval=100ms",
                "lagwise.monitor.heartbeat=200ms",
                "lagwise.monitor.heartbeat-table=shop_heartbeat")
                .withBean(SimpleMeterRegistry.class)
                .run(context -> {
                    LagwiseDataSource ds = context.getBean(LagwiseDataSource.class);
                    assertThat(ds.name()).isEqualTo("shop");
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    List<Integer> totals = List.of();
                    boolean heartbeat = false;
                    while (System.nanoTime() < deadline) {
                        totals = ds.cluster().nodes().stream().map(NodeSnapshot::poolTotal).toList();
                        heartbeat = ds.cluster().replicas().stream().allMatch(r -> r.heartbeatLag().isPresent());
                        if (totals.equals(List.of(1, 3, 2)) && heartbeat) {
                            break;
                        }
                        Thread.sleep(50);
                    }
                    assertThat(totals).as("pool sizes of master, oslo, frankfurt").containsExactly(1, 3, 2);
                    assertThat(heartbeat).as("heartbeat lag measured on every replica").isTrue();
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("hikaricp.connections").tags("pool",
                            "shop.replica[1]@" + address(topology.node("frankfurt"))).gauge())
                            .as("HikariCP's own meters, per node").isNotNull();
                });
    }

    @Test
    void customizers_runAfterTheProperties(ReplicationTopology topology) {
        List<String> events = new CopyOnWriteArrayList<>();
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withBean(LagwiseDataSourceCustomizer.class, () -> b -> {
                    events.add("customized");
                    b.listener((node, previous) -> events.add(node.name()));
                })
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(events).startsWith("customized");
                });
    }

    @Test
    void readConsistency_onMethodsAndClasses_routesTheirReads(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withUserConfiguration(Readers.class).run(context -> {
                    int master = topology.master().serverId();
                    int oslo = topology.node("oslo").serverId();
                    StrongByDefault strong = context.getBean(StrongByDefault.class);
                    assertThat(strong.serverId()).as("class-level STRONG").isEqualTo(master);
                    assertThat(strong.eventually()).as("method-level EVENTUAL wins over the class").isEqualTo(oslo);
                    Plain plain = context.getBean(Plain.class);
                    assertThat(plain.serverId()).as("no annotation: the default").isEqualTo(oslo);
                    assertThat(plain.strongly()).isEqualTo(master);
                    assertThat(plain.serverId()).as("the level does not outlive the call").isEqualTo(oslo);
                    assertThat(context.getBean(LagwiseDataSource.class).routingStats()
                            .routed(io.lagwise.jdbc.RouteReason.STRONG)).isEqualTo(2);
                });
    }

    @Test
    void healthAndMeters_reportTheCluster(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).run(context -> {
            var health = context.getBean(LagwiseHealthIndicator.class).health();
            assertThat(health.getStatus().getCode()).isEqualTo("UP");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> nodes = (Map<String, Map<String, Object>>) health.getDetails().get("nodes");
            assertThat(nodes).hasSize(3);
            Map<String, Object> oslo = nodes.get(address(topology.node("oslo")));
            assertThat(oslo).containsEntry("role", "replica").containsEntry("region", "oslo")
                    .containsEntry("up", true).containsEntry("health", "UP").containsEntry("secondsBehindMaster", 0L)
                    .containsKeys("lagMs", "roundTripMs");
            assertThat(nodes.get(address(topology.node("frankfurt")))).containsEntry("backup", true);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(LagwiseMetrics.class).bindTo(registry);
            new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("SELECT 1", Integer.class);
            assertThat(registry.get("lagwise.node.up").tag("region", "oslo").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("lagwise.replication.seconds.behind.master").tag("region", "oslo").gauge().value())
                    .isEqualTo(0.0);
            assertThat(registry.get("lagwise.node.round.trip").tag("region", "oslo").timeGauge()
                    .value(java.util.concurrent.TimeUnit.MILLISECONDS)).isPositive().isLessThan(50);
            assertThat(registry.get("lagwise.statements.routed").tag("reason", "replica").tag("target", "replica")
                    .tag("kind", "read").functionCounter().count()).isEqualTo(1.0);
            assertThat(registry.get("lagwise.node.statements").tag("region", "oslo").functionCounter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("lagwise.read.your.writes.fallbacks").functionCounter().count()).isZero();
            assertThat(registry.get("lagwise.read.your.writes.budget.waits").functionCounter().count()).isZero();
            assertThat(registry.get("lagwise.node.master").tag("node", address(topology.master())).gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("lagwise.node.master").tag("region", "oslo").gauge().value()).isZero();
            assertThat(registry.get("lagwise.master.changes").functionCounter().count()).isZero();
            assertThat(registry.get("lagwise.writes.refused").gauge().value()).isZero();
            assertThat(health.getDetails()).containsEntry("writes", "master " + address(topology.master()))
                    .containsEntry("masterChanges", 0L);
        });
    }

    @Test
    void aReadOnlyMaster_refusesWrites_healthIsDownSayingWhy(ReplicationTopology topology) throws Exception {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).run(context -> {
            LagwiseHealthIndicator indicator = context.getBean(LagwiseHealthIndicator.class);
            LagwiseDataSource ds = context.getBean(LagwiseDataSource.class);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(LagwiseMetrics.class).bindTo(registry);
            try {
                try (java.sql.Connection admin = topology.master().connectAdmin(); java.sql.Statement st = admin.createStatement()) {
                    st.execute("SET GLOBAL read_only = ON"); // a switchover under way
                }
                await(() -> ds.cluster().writesRefused().isPresent());
                var health = indicator.health();
                assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
                assertThat(health.getDetails().get("writes")).asString().startsWith("refused: master " + address(topology.master()) + " is read-only");
                assertThat(registry.get("lagwise.writes.refused").gauge().value()).isEqualTo(1.0);
            } finally {
                try (java.sql.Connection admin = topology.master().connectAdmin(); java.sql.Statement st = admin.createStatement()) {
                    st.execute("SET GLOBAL read_only = OFF");
                }
            }
            await(() -> ds.cluster().writesRefused().isEmpty());
            assertThat(indicator.health().getStatus().getCode()).isEqualTo("UP");
        });
    }

    @Test
    void masterUnreachable_healthIsDown_replicasDown_healthStaysUp(ReplicationTopology topology) {
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology)).run(context -> {
            LagwiseHealthIndicator indicator = context.getBean(LagwiseHealthIndicator.class);
            LagwiseDataSource ds = context.getBean(LagwiseDataSource.class);
            topology.node("oslo").kill();
            await(() -> ds.cluster().replicas().get(0).health() == Health.DOWN);
            assertThat(indicator.health().getStatus().getCode()).as("a replica down: reads fall back").isEqualTo("UP");
            topology.master().kill();
            await(() -> ds.cluster().master().health() == Health.DOWN);
            var health = indicator.health();
            assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
            assertThat(health.getDetails().get("writes")).asString().contains("master is unreachable");
            assertThat(health.getDetails().toString()).doesNotContain(topology.password());
        });
    }

    @Test
    void badValues_failStartup_namingTheProperty(ReplicationTopology topology) {
        String[][] cases = {
            {"lagwise.pool.maximum-pool-size=0", "lagwise.pool.maximum-pool-size"},
            {"lagwise.replicas[0].pool.connection-timeout=10ms", "lagwise.replicas[0].pool.connection-timeout"},
            {"lagwise.monitor.interval=1ms", "lagwise.monitor.interval"},
            {"lagwise.monitor.heartbeat=10ms", "lagwise.monitor.heartbeat"},
            {"lagwise.monitor.heartbeat-table=drop table x", "lagwise.monitor.heartbeat-table"},
            {"lagwise.monitor.password=x", "lagwise.monitor.username"},
            {"lagwise.read-your-writes.max-wait=1h", "lagwise.read-your-writes.max-wait"},
            {"lagwise.latency-window=-1ms", "lagwise.latency-window"},
            {"lagwise.statement-cache-size=0", "lagwise.statement-cache-size"},
            {"lagwise.pool.data-source-properties.password=x", "lagwise.pool.data-source-properties.password"},
            {"lagwise.name= ", "lagwise.name"},
            {"lagwise.replicas[0].region=" + "o".repeat(65), "lagwise.replicas[0].region"},
            {"lagwise.pool.max-lifetime=5s", "lagwise.pool.max-lifetime"},
            {"lagwise.replicas[1].pool.minimum-idle=50", "lagwise.replicas[1].pool"},
            {"lagwise.master.pool.keepalive-time=2m\nlagwise.master.pool.max-lifetime=1m", "lagwise.master.pool"},
            {"lagwise.monitor.username= \nlagwise.monitor.password=x", "lagwise.monitor.username"},
        };
        for (String[] c : cases) {
            runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                    .withPropertyValues(c[0].split("\n"))
                    .run(context -> {
                        assertThat(context).as(c[0]).hasFailed();
                        Throwable failure = context.getStartupFailure();
                        FailureAnalysis analysis = new LagwiseFailureAnalyzer().analyze(failure);
                        assertThat(analysis).as(c[0] + ": " + failure).isNotNull();
                        assertThat(analysis.getDescription()).as(c[0]).contains(c[1]);
                        assertThat(analysis.getAction()).as(c[0]).contains(c[1]);
                        assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(topology.password());
                    });
        }
        web.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withPropertyValues("lagwise.web.cookie-name=no spaces;").run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new LagwiseFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("lagwise.web.cookie-name");
                });
        web.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withPropertyValues("lagwise.web.cookie-max-age=500ms").run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new LagwiseFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("lagwise.web.cookie-max-age");
                });
        runner.withPropertyValues(LagwiseAutoConfigurationTest.properties(topology))
                .withPropertyValues("lagwise.master.url=" + topology.master().jdbcUrl() + "&password=inurl").run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new LagwiseFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("lagwise.master.url or lagwise.password")
                            .doesNotContain("inurl", topology.password());
                });
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A node's name in Lagwise: the host and port its URL names. */
    static String address(io.lagwise.testkit.TopologyNode node) {
        return node.host() + ":" + node.port();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnLagwise {
        static ReplicationTopology topology;

        @Bean(destroyMethod = "close")
        LagwiseDataSource own() throws Exception {
            return LagwiseDataSource.builder().name("own").master(topology.master().jdbcUrl())
                    .replica(topology.node("oslo").jdbcUrl(), "oslo")
                    .username(topology.username()).password(topology.password()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Readers {
        @Bean
        StrongByDefault strongByDefault(DataSource ds) {
            return new StrongByDefault(new JdbcTemplate(ds));
        }

        @Bean
        Plain plain(DataSource ds) {
            return new Plain(new JdbcTemplate(ds));
        }
    }

    @ReadConsistency(Consistency.STRONG)
    static class StrongByDefault {
        private final JdbcTemplate jdbc;

        StrongByDefault(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        public int serverId() {
            return jdbc.queryForObject("SELECT @@server_id", Integer.class);
        }

        @ReadConsistency(Consistency.EVENTUAL)
        public int eventually() {
            return jdbc.queryForObject("SELECT @@server_id", Integer.class);
        }
    }

    static class Plain {
        private final JdbcTemplate jdbc;

        Plain(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        public int serverId() {
            return jdbc.queryForObject("SELECT @@server_id", Integer.class);
        }

        @ReadConsistency(Consistency.STRONG)
        public int strongly() {
            return jdbc.queryForObject("SELECT @@server_id", Integer.class);
        }
    }
}
