package io.lagwise.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Consistency;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.spring.ConsistencyTokenFilter;
import io.lagwise.spring.LagwiseAutoConfiguration;
import io.lagwise.spring.LagwiseConsistencyAutoConfiguration;
import io.lagwise.spring.LagwiseMetrics;
import io.lagwise.spring.LagwiseOperationsAutoConfiguration;
import io.lagwise.spring.LagwiseWebAutoConfiguration;
import io.lagwise.spring.ReadConsistency;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.Cookie;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The lagwise-spring-integration jar, built against Spring Boot 4, on Spring Boot 3.5 (Spring 6.2,
 * Micrometer 1.15): the DataSource from properties ahead of Boot 3's own, transactions and
 * {@code @ReadConsistency}, the web token filter, Micrometer meters and the failure analyzer. The
 * Actuator health indicator uses Boot 4's health API and stays off on Boot 3.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class SpringBoot3Test {

    private static final AutoConfigurations ALL = AutoConfigurations.of(LagwiseAutoConfiguration.class,
            LagwiseOperationsAutoConfiguration.class, LagwiseWebAutoConfiguration.class,
            LagwiseConsistencyAutoConfiguration.class, DataSourceAutoConfiguration.class, AopAutoConfiguration.class);

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
            "lagwise.local-region=oslo"};
    }

    @Test
    void runsOnSpringBoot35() {
        assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    }

    @Test
    void theDataSourceComesAheadOfBoot3sOwn_andRoutes(ReplicationTopology topology) {
        new ApplicationContextRunner().withConfiguration(ALL).withPropertyValues(properties(topology))
                .withUserConfiguration(Readers.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(DataSource.class);
                    assertThat(context.getBean(DataSource.class)).isInstanceOf(LagwiseDataSource.class);
                    JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                    int master = topology.master().serverId();
                    int oslo = topology.node("oslo").serverId();
                    assertThat(jdbc.queryForObject("SELECT @@server_id", Integer.class)).isEqualTo(oslo);
                    assertThat(context.getBean(StrongReader.class).serverId()).as("@ReadConsistency(STRONG)")
                            .isEqualTo(master);
                    assertThat(context).doesNotHaveBean("lagwiseHealthIndicator");
                });
    }

    @Test
    void meters_bindToBoot3sMicrometer(ReplicationTopology topology) {
        new ApplicationContextRunner().withConfiguration(ALL).withPropertyValues(properties(topology)).run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(LagwiseMetrics.class).bindTo(registry);
            new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("SELECT 1", Integer.class);
            assertThat(registry.get("lagwise.node.up").tag("region", "oslo").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("lagwise.statements.routed").tag("reason", "replica").functionCounter().count())
                    .isEqualTo(1.0);
        });
    }

    @Test
    void theTokenFilter_setsTheCookieAfterAWrite(ReplicationTopology topology) {
        new WebApplicationContextRunner().withConfiguration(ALL).withPropertyValues(properties(topology)).run(context -> {
            ConsistencyTokenFilter filter = context.getBean(ConsistencyTokenFilter.class);
            DataSource ds = context.getBean(DataSource.class);
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/notes");
            MockHttpServletResponse response = new MockHttpServletResponse();
            filter.doFilter(request, response, (req, res) -> {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS boot3_note (id INT PRIMARY KEY, v INT)");
                    s.execute("REPLACE INTO boot3_note VALUES (1, 1)");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Cookie cookie = response.getCookie("lagwise-consistency");
            assertThat(cookie).isNotNull();
            assertThat(cookie.getValue()).startsWith("lw1.");
            assertThat(response.getHeader("Lagwise-Consistency")).isEqualTo(cookie.getValue());
        });
    }

    @Test
    void aBadProperty_failsStartupNamingIt(ReplicationTopology topology) {
        new ApplicationContextRunner().withConfiguration(ALL).withPropertyValues(properties(topology))
                .withPropertyValues("lagwise.monitor.interval=1ms").run(context -> {
                    assertThat(context).hasFailed();
                    // Registered in spring.factories, as Boot 3 expects; made here as Boot would.
                    var constructor = Class.forName("io.lagwise.spring.LagwiseFailureAnalyzer").getDeclaredConstructor();
                    constructor.setAccessible(true);
                    FailureAnalysis analysis = ((org.springframework.boot.diagnostics.FailureAnalyzer)
                            constructor.newInstance()).analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("lagwise.monitor.interval");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Readers {
        @Bean
        StrongReader strongReader(DataSource ds) {
            return new StrongReader(new JdbcTemplate(ds));
        }
    }

    static class StrongReader {
        private final JdbcTemplate jdbc;

        StrongReader(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @ReadConsistency(Consistency.STRONG)
        public int serverId() {
            return jdbc.queryForObject("SELECT @@server_id", Integer.class);
        }
    }
}
