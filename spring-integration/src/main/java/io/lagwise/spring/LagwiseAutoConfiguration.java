package io.lagwise.spring;

import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.NodeOptions;
import io.lagwise.jdbc.PoolOptions;
import io.lagwise.jdbc.ReadYourWritesMode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Makes a {@link LagwiseDataSource} the application's {@link DataSource} when
 * {@code lagwise.master.url} is set, before Spring Boot's own DataSource auto-configuration (so
 * JdbcTemplate, transactions and JPA use it); a DataSource bean of the application's own wins.
 *
 * <p>Every property is checked once, at start: a value Lagwise cannot use fails start-up with a
 * {@link LagwiseConfigurationException} that names the property.
 */
// Before Spring Boot's own DataSource, under its Boot 4 name and its Boot 3 name.
@AutoConfiguration(beforeName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(LagwiseDataSource.class)
@ConditionalOnProperty(prefix = "lagwise", name = "master.url")
@EnableConfigurationProperties(LagwiseProperties.class)
public final class LagwiseAutoConfiguration {

    /** Created by Spring. */
    public LagwiseAutoConfiguration() {}

    /**
     * The data source, built and started from {@code lagwise.*}, then changed by every
     * {@link LagwiseDataSourceCustomizer} bean.
     *
     * @throws LagwiseConfigurationException if a property has a value Lagwise cannot use
     * @throws SQLException if a node cannot be reached at start
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DataSource.class)
    public LagwiseDataSource lagwiseDataSource(LagwiseProperties properties,
            ObjectProvider<LagwiseDataSourceCustomizer> customizers) throws SQLException {
        return build(properties, customizers.orderedStream().toList());
    }

    /** Each node's HikariCP pool reports its {@code hikaricp.*} meters to the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class PoolMetricsConfiguration {

        @Bean
        @Order(0)
        LagwiseDataSourceCustomizer lagwisePoolMetrics(
                ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            return builder -> {
                io.micrometer.core.instrument.MeterRegistry r = registry.getIfUnique();
                if (r != null) {
                    builder.poolMetrics(new com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory(r));
                }
            };
        }
    }

    static LagwiseDataSource build(LagwiseProperties p, List<LagwiseDataSourceCustomizer> customizers)
            throws SQLException {
        LagwiseDataSource.Builder b = LagwiseDataSource.builder();
        apply("lagwise.name", "a short name without spaces, e.g. shop", () -> b.name(p.getName()));
        LagwiseProperties.Master m = p.getMaster();
        apply("lagwise.master.url", "a plain MariaDB or MySQL URL, e.g. jdbc:mariadb://db-oslo-1:3306/app",
                () -> b.master(m.getUrl(), n -> node("lagwise.master", n, m.getUsername(), m.getPassword(), m.getPool())));
        List<LagwiseProperties.Replica> replicas = p.getReplicas();
        for (int i = 0; i < replicas.size(); i++) {
            LagwiseProperties.Replica r = replicas.get(i);
            String prefix = "lagwise.replicas[" + i + "]";
            if (r == null) {
                throw new LagwiseConfigurationException(prefix, "is empty", "Give " + prefix + ".url and "
                        + prefix + ".region, or remove the entry", null);
            }
            String region = r.getRegion();
            if (region == null || region.isBlank()) {
                throw new LagwiseConfigurationException(prefix + ".region", "a replica needs a region",
                        "Set " + prefix + ".region to where the replica runs, e.g. oslo", null);
            }
            if (!region.equals(region.strip()) || region.length() > 64) {
                throw new LagwiseConfigurationException(prefix + ".region", "must be a plain label of at most 64"
                        + " characters without surrounding spaces: '" + region + "'", "Set " + prefix
                        + ".region to a short label such as oslo (check for a trailing space)", null);
            }
            apply(prefix + ".url", "a plain MariaDB or MySQL URL, e.g. jdbc:mariadb://db-oslo-2:3306/app",
                    () -> b.replica(r.getUrl(), r.getRegion(), n -> {
                        n.backup(r.isBackup());
                        node(prefix, n, r.getUsername(), r.getPassword(), r.getPool());
                    }));
        }
        if (p.getUsername() != null) {
            apply("lagwise.username", "a user name", () -> b.username(p.getUsername()));
        }
        if (p.getPassword() != null) {
            b.password(p.getPassword());
        }
        if (p.getLocalRegion() != null) {
            apply("lagwise.local-region", "the region this instance runs in, e.g. oslo",
                    () -> b.localRegion(p.getLocalRegion()));
        }
        apply("lagwise.max-replication-lag", "a positive duration, e.g. 1s",
                () -> b.maxReplicationLag(p.getMaxReplicationLag()));
        apply("lagwise.consistency", "eventual, read-your-writes or strong", () -> b.consistency(p.getConsistency()));
        apply("lagwise.read-fallback", "master or fail", () -> b.readFallback(p.getReadFallback()));
        if (p.getLatencyWindow() != null) {
            apply("lagwise.latency-window", "a duration of 0 or more, e.g. 5ms", () -> b.latencyWindow(p.getLatencyWindow()));
        }
        apply("lagwise.connect-timeout", "a positive duration, e.g. 3s", () -> b.connectTimeout(p.getConnectTimeout()));
        apply("lagwise.replica-read-timeout", "a duration, e.g. 30s (0 turns it off)",
                () -> b.replicaReadTimeout(p.getReplicaReadTimeout()));
        b.allowDegradedStart(p.isAllowDegradedStart());
        apply("lagwise.statement-cache-size", "a number of 1 or more, e.g. 10000",
                () -> b.statementCacheSize(p.getStatementCacheSize()));
        b.pool(o -> pool("lagwise.pool", o, p.getPool()));

        LagwiseProperties.Monitor mon = p.getMonitor();
        apply("lagwise.monitor.interval", "a duration of at least 10ms, e.g. 250ms",
                () -> b.monitorInterval(mon.getInterval()));
        apply("lagwise.monitor.probe-timeout", "a duration of at least 50ms, e.g. 1s",
                () -> b.probeTimeout(mon.getProbeTimeout()));
        if (mon.getHeartbeat() != null) {
            apply("lagwise.monitor.heartbeat", "a duration of at least 100ms, e.g. 1s, or nothing to turn it off",
                    () -> b.heartbeat(mon.getHeartbeat()));
        }
        apply("lagwise.monitor.heartbeat-table", "a plain SQL table name, e.g. lagwise_heartbeat",
                () -> b.heartbeatTable(mon.getHeartbeatTable()));
        if (mon.getUsername() != null || mon.getPassword() != null) {
            if (mon.getUsername() == null || mon.getUsername().isBlank()) {
                throw new LagwiseConfigurationException("lagwise.monitor.username", "is missing while"
                        + " lagwise.monitor.password is set", "Set lagwise.monitor.username too, or neither", null);
            }
            apply("lagwise.monitor.password", "the monitor account's password (lagwise.monitor.username is set)",
                    () -> b.monitorCredentials(mon.getUsername(), mon.getPassword()));
        }

        LagwiseProperties.ReadYourWrites ryw = p.getReadYourWrites();
        apply("lagwise.read-your-writes.mode", "gtid or pin", () -> b.readYourWrites(
                ryw.getMode() == LagwiseProperties.ReadYourWrites.Mode.PIN ? ReadYourWritesMode.PIN
                        : ryw.getMode() == null ? null : ReadYourWritesMode.GTID));
        apply("lagwise.read-your-writes.max-wait", "a duration from 0 to 10s, e.g. 50ms",
                () -> b.readYourWritesMaxWait(ryw.getMaxWait()));
        apply("lagwise.read-your-writes.pin-window-minimum", "a duration of 0 or more, e.g. 100ms",
                () -> b.pinWindowMinimum(ryw.getPinWindowMinimum()));
        for (LagwiseDataSourceCustomizer c : customizers) {
            try {
                c.customize(b);
            } catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().contains("latencyWindow")) {
                    throw new LagwiseConfigurationException("lagwise.latency-window", e.getMessage(),
                            "Remove lagwise.latency-window: a custom ReplicaSelector decides nearness itself", e);
                }
                throw e;
            }
        }
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw buildFailure(e, "the password for ", ".password", "Give each node's password once: in its URL,"
                    + " or by lagwise.password (or the node's own password property), not both",
                    "lagwise.replicas", "Give each server once, and never the master as a replica");
        } catch (IllegalArgumentException e) {
            // Pool settings are checked against each other per node, at build.
            throw buildFailure(e, "", ".pool", "Make the pool's settings agree: minimum-idle at most"
                    + " maximum-pool-size, keepalive-time and idle-timeout shorter than max-lifetime", "lagwise.pool",
                    "Make the pool's settings agree");
        }
    }

    /**
     * Maps an exception of build(), whose message names the node as {@code master} or
     * {@code replica[i]} after {@code lead}, to the node's property prefix plus {@code suffix}.
     */
    private static LagwiseConfigurationException buildFailure(RuntimeException e, String lead, String suffix,
            String action, String fallbackProperty, String fallbackAction) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        java.util.regex.Matcher node = java.util.regex.Pattern.compile("^" + java.util.regex.Pattern.quote(lead)
                + "(master|replica\\[(\\d+)\\])(?=\\s|$)").matcher(message);
        if (node.find()) {
            String prefix = node.group(2) != null ? "lagwise.replicas[" + node.group(2) + "]" : "lagwise.master";
            String property = suffix.equals(".password") ? prefix + ".url or lagwise.password" : prefix + suffix
                    + " (or lagwise" + suffix + ")";
            return new LagwiseConfigurationException(property, message, "Check " + property + ": " + action, e);
        }
        return new LagwiseConfigurationException(fallbackProperty, message, fallbackAction, e);
    }

    private static void node(String prefix, NodeOptions n, String username, String password,
            LagwiseProperties.Pool pool) {
        if (username != null) {
            apply(prefix + ".username", "a user name", () -> n.username(username));
        }
        if (password != null) {
            apply(prefix + ".password", "a password, given once (here or in the URL)", () -> n.password(password));
        }
        n.pool(o -> pool(prefix + ".pool", o, pool));
    }

    private static void pool(String prefix, PoolOptions o, LagwiseProperties.Pool p) {
        if (p.getMaximumPoolSize() != null) {
            apply(prefix + ".maximum-pool-size", "a number of 1 or more, e.g. 10",
                    () -> o.maximumPoolSize(p.getMaximumPoolSize()));
        }
        if (p.getMinimumIdle() != null) {
            apply(prefix + ".minimum-idle", "a number of 0 or more", () -> o.minimumIdle(p.getMinimumIdle()));
        }
        if (p.getConnectionTimeout() != null) {
            apply(prefix + ".connection-timeout", "a duration of at least 250ms, e.g. 3s",
                    () -> o.connectionTimeout(p.getConnectionTimeout()));
        }
        if (p.getIdleTimeout() != null) {
            apply(prefix + ".idle-timeout", "a duration, e.g. 10m", () -> o.idleTimeout(p.getIdleTimeout()));
        }
        if (p.getMaxLifetime() != null) {
            apply(prefix + ".max-lifetime", "a duration, e.g. 30m", () -> o.maxLifetime(p.getMaxLifetime()));
        }
        if (p.getKeepaliveTime() != null) {
            apply(prefix + ".keepalive-time", "a duration, e.g. 2m", () -> o.keepaliveTime(p.getKeepaliveTime()));
        }
        if (p.getValidationTimeout() != null) {
            apply(prefix + ".validation-timeout", "a duration of at least 250ms, e.g. 2s",
                    () -> o.validationTimeout(p.getValidationTimeout()));
        }
        p.getDataSourceProperties().forEach((name, value) -> apply(prefix + ".data-source-properties." + name,
                "a driver property other than user or password, with a value", () -> o.dataSourceProperty(name, value)));
    }

    private static void apply(String property, String expected, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            String problem = e instanceof NullPointerException || e.getMessage() == null ? "is missing" : e.getMessage();
            throw new LagwiseConfigurationException(property, problem, "Set " + property + " to " + expected, e);
        }
    }
}
