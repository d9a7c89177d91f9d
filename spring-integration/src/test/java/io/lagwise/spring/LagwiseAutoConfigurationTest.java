package io.lagwise.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration, against a real topology: when it applies, when it steps aside, how it fails. */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class LagwiseAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LagwiseAutoConfiguration.class));

    static String[] properties(ReplicationTopology t) {
        return new String[] {
            "lagwise.master.url=" + t.master().jdbcUrl(),
            "lagwise.replicas[0].url=" + t.node("oslo").jdbcUrl(),
            "lagwise.replicas[0].region=oslo",
            "lagwise.replicas[1].url=" + t.node("frankfurt").jdbcUrl(),
            "lagwise.replicas[1].region=frankfurt",
            "lagwise.replicas[1].backup=true",
            "lagwise.username=" + t.username(),
            "lagwise.password=" + t.password(),
            "lagwise.local-region=oslo",
            "lagwise.max-replication-lag=2s",
            "lagwise.read-your-writes.mode=gtid",
            "lagwise.read-your-writes.max-wait=80ms"};
    }

    @Test
    void withoutMasterUrl_itStepsAside() {
        runner.run(context -> assertThat(context).doesNotHaveBean(LagwiseDataSource.class));
    }

    @Test
    void withProperties_theDataSourceIsLagwise_andReadsGoToTheLocalReplica(ReplicationTopology topology) {
        runner.withPropertyValues(properties(topology)).run(context -> {
            assertThat(context).hasSingleBean(LagwiseDataSource.class);
            DataSource ds = context.getBean(DataSource.class);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(topology.node("oslo").serverId());
            }
            assertThat(context.getBean(LagwiseDataSource.class).cluster().replicas())
                    .extracting(n -> n.region() + (n.backup() ? "/backup" : "")).containsExactly("oslo", "frankfurt/backup");
            assertThat(context.getBean(LagwiseProperties.class).toString()).doesNotContain(topology.password());
        });
    }

    @Test
    void theApplicationsOwnDataSource_wins(ReplicationTopology topology) {
        runner.withPropertyValues(properties(topology)).withUserConfiguration(OwnDataSource.class)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(LagwiseDataSource.class);
                    assertThat(context).hasSingleBean(DataSource.class);
                });
    }

    @Test
    void unusableReplicaUrl_failsStartup_namingTheProperty() {
        runner.withPropertyValues("lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app",
                "lagwise.replicas[0].url=jdbc:postgresql://db/app", "lagwise.replicas[0].region=oslo")
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    LagwiseConfigurationException cause = find(failure);
                    assertThat(cause.property()).isEqualTo("lagwise.replicas[0].url");
                    FailureAnalysis analysis = new LagwiseFailureAnalyzer().analyze(failure);
                    assertThat(analysis.getDescription()).contains("lagwise.replicas[0].url");
                    assertThat(analysis.getAction()).contains("Set lagwise.replicas[0].url to a plain MariaDB or MySQL URL");
                });
    }

    @Test
    void missingRegion_failsStartup_namingTheProperty() {
        runner.withPropertyValues("lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app",
                "lagwise.replicas[0].url=jdbc:mariadb://127.0.0.1:2/app")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(find(context.getStartupFailure()).property()).isEqualTo("lagwise.replicas[0].region");
                });
    }

    @Test
    void failureAnalyzer_andAutoConfiguration_areRegistered() throws Exception {
        assertThat(resource("META-INF/spring.factories")).contains("io.lagwise.spring.LagwiseFailureAnalyzer");
        assertThat(resource("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))
                .contains("io.lagwise.spring.LagwiseAutoConfiguration");
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = LagwiseAutoConfiguration.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static LagwiseConfigurationException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof LagwiseConfigurationException) {
                return (LagwiseConfigurationException) c;
            }
        }
        throw new AssertionError("no LagwiseConfigurationException in " + t);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDataSource {
        @Bean
        DataSource dataSource() {
            return new org.mariadb.jdbc.MariaDbDataSource();
        }
    }
}
