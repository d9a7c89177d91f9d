package io.lagwise.spring;

import io.lagwise.jdbc.ConflictingSettingsException;
import io.lagwise.jdbc.InvalidSettingException;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.NodeOptions;
import io.lagwise.jdbc.PoolOptions;
import io.lagwise.jdbc.ReadYourWritesMode;
import java.sql.SQLException;
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
        apply("name", () -> b.name(p.getName()));
        LagwiseProperties.Master m = p.getMaster();
        apply("master.url", () -> b.master(m.getUrl(), n -> node("master", n, m.getUsername(), m.getPassword(), m.getPool())));
        List<LagwiseProperties.Replica> replicas = p.getReplicas();
        for (int i = 0; i < replicas.size(); i++) {
            LagwiseProperties.Replica r = replicas.get(i);
            if (r == null) {
                String prefix = "lagwise.replicas[" + i + "]";
                throw new LagwiseConfigurationException(prefix, "is empty", "Give " + prefix + ".url and " + prefix + ".region, or remove the entry", null);
            }
            String node = "replica[" + i + "]"; // the builder counts replicas as we add them
            apply(node + ".url", () -> b.replica(r.getUrl(), r.getRegion(), n -> {
                n.backup(r.isBackup());
                node(node, n, r.getUsername(), r.getPassword(), r.getPool());
            }));
        }
        if (p.getUsername() != null) {
            apply("username", () -> b.username(p.getUsername()));
        }
        if (p.getPassword() != null) {
            b.password(p.getPassword());
        }
        if (p.getLocalRegion() != null) {
            apply("localRegion", () -> b.localRegion(p.getLocalRegion()));
        }
        apply("maxReplicationLag", () -> b.maxReplicationLag(p.getMaxReplicationLag()));
        apply("consistency", () -> b.consistency(p.getConsistency()));
        apply("readFallback", () -> b.readFallback(p.getReadFallback()));
        if (p.getLatencyWindow() != null) {
            apply("latencyWindow", () -> b.latencyWindow(p.getLatencyWindow()));
        }
        apply("connectTimeout", () -> b.connectTimeout(p.getConnectTimeout()));
        apply("replicaReadTimeout", () -> b.replicaReadTimeout(p.getReplicaReadTimeout()));
        b.allowDegradedStart(p.isAllowDegradedStart());
        b.followPromotions(p.isFollowPromotions());
        apply("statementCacheSize", () -> b.statementCacheSize(p.getStatementCacheSize()));
        b.pool(o -> pool("pool", o, p.getPool()));

        LagwiseProperties.Monitor mon = p.getMonitor();
        apply("monitorInterval", () -> b.monitorInterval(mon.getInterval()));
        apply("probeTimeout", () -> b.probeTimeout(mon.getProbeTimeout()));
        if (mon.getHeartbeat() != null) {
            apply("heartbeat", () -> b.heartbeat(mon.getHeartbeat()));
        }
        apply("heartbeatTable", () -> b.heartbeatTable(mon.getHeartbeatTable()));
        if (mon.getUsername() != null || mon.getPassword() != null) {
            if (mon.getUsername() == null || mon.getUsername().isBlank()) {
                throw new LagwiseConfigurationException("lagwise.monitor.username", "is missing while lagwise.monitor.password is set", "Set lagwise.monitor.username too, or neither", null);
            }
            apply("monitorCredentials.password", () -> b.monitorCredentials(mon.getUsername(), mon.getPassword()));
        }

        LagwiseProperties.ReadYourWrites ryw = p.getReadYourWrites();
        apply("readYourWrites", () -> b.readYourWrites(
                ryw.getMode() == LagwiseProperties.ReadYourWrites.Mode.PIN ? ReadYourWritesMode.PIN
                        : ryw.getMode() == null ? null : ReadYourWritesMode.GTID));
        apply("readYourWritesMaxWait", () -> b.readYourWritesMaxWait(ryw.getMaxWait()));
        apply("pinWindowMinimum", () -> b.pinWindowMinimum(ryw.getPinWindowMinimum()));
        apply("readYourWritesMasterBudget", () -> b.readYourWritesMasterBudget(ryw.getMasterBudget()));
        for (LagwiseDataSourceCustomizer c : customizers) {
            try {
                c.customize(b);
            } catch (ConflictingSettingsException e) {
                // A customizer's own mistakes are its own; a property it conflicts with is named.
                if (e.settings().contains("latencyWindow") && p.getLatencyWindow() != null) {
                    throw SettingProperties.conflict(e);
                }
                throw e;
            }
        }
        try {
            return b.build();
        } catch (ConflictingSettingsException e) {
            throw SettingProperties.conflict(e); // a password both in a URL and by property
        } catch (InvalidSettingException e) {
            throw SettingProperties.invalid(e.setting(), e.getMessage(), e); // pool settings, checked per node
        }
    }

    private static void node(String node, NodeOptions n, String username, String password,
            LagwiseProperties.Pool pool) {
        if (username != null) {
            apply(node + ".username", () -> n.username(username));
        }
        if (password != null) {
            apply(node + ".password", () -> n.password(password));
        }
        n.pool(o -> pool(node + ".pool", o, pool));
    }

    private static void pool(String prefix, PoolOptions o, LagwiseProperties.Pool p) {
        if (p.getMaximumPoolSize() != null) {
            apply(prefix + ".maximumPoolSize", () -> o.maximumPoolSize(p.getMaximumPoolSize()));
        }
        if (p.getMinimumIdle() != null) {
            apply(prefix + ".minimumIdle", () -> o.minimumIdle(p.getMinimumIdle()));
        }
        if (p.getConnectionTimeout() != null) {
            apply(prefix + ".connectionTimeout", () -> o.connectionTimeout(p.getConnectionTimeout()));
        }
        if (p.getIdleTimeout() != null) {
            apply(prefix + ".idleTimeout", () -> o.idleTimeout(p.getIdleTimeout()));
        }
        if (p.getMaxLifetime() != null) {
            apply(prefix + ".maxLifetime", () -> o.maxLifetime(p.getMaxLifetime()));
        }
        if (p.getKeepaliveTime() != null) {
            apply(prefix + ".keepaliveTime", () -> o.keepaliveTime(p.getKeepaliveTime()));
        }
        if (p.getValidationTimeout() != null) {
            apply(prefix + ".validationTimeout", () -> o.validationTimeout(p.getValidationTimeout()));
        }
        p.getDataSourceProperties().forEach((name, value) -> apply(prefix + ".dataSourceProperty[" + name + "]",
                () -> o.dataSourceProperty(name, value)));
    }

    /**
     * Runs one builder call. Its failure names its property through the setting the builder's
     * typed exception names (a replica's region fails in the call that gives its URL); a null
     * value, which the builder rejects with a plain {@link NullPointerException}, through
     * {@code setting}, the one this call gives.
     */
    private static void apply(String setting, Runnable setter) {
        try {
            setter.run();
        } catch (InvalidSettingException e) {
            throw SettingProperties.invalid(e.setting(), e.getMessage(), e);
        } catch (ConflictingSettingsException e) {
            throw SettingProperties.conflict(e);
        } catch (NullPointerException e) {
            throw SettingProperties.invalid(setting, "is missing", e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw SettingProperties.invalid(setting, e.getMessage() == null ? "is missing" : e.getMessage(), e);
        }
    }
}
