package io.lagwise.spring;

import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.ReadYourWritesMode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Makes a {@link LagwiseDataSource} the application's {@link DataSource} when
 * {@code lagwise.master.url} is set, before Spring Boot's own DataSource auto-configuration (so
 * JdbcTemplate, transactions and JPA use it); a DataSource bean of the application's own wins.
 *
 * <p>Every property is checked once, at start: a value Lagwise cannot use fails start-up with a
 * {@link LagwiseConfigurationException} that names the property.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(LagwiseDataSource.class)
@ConditionalOnProperty(prefix = "lagwise", name = "master.url")
@EnableConfigurationProperties(LagwiseProperties.class)
public final class LagwiseAutoConfiguration {

    /** Created by Spring. */
    public LagwiseAutoConfiguration() {}

    /**
     * The data source, built and started from {@code lagwise.*}.
     *
     * @throws LagwiseConfigurationException if a property has a value Lagwise cannot use
     * @throws SQLException if a node cannot be reached at start
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DataSource.class)
    public LagwiseDataSource lagwiseDataSource(LagwiseProperties properties) throws SQLException {
        return build(properties);
    }

    static LagwiseDataSource build(LagwiseProperties p) throws SQLException {
        LagwiseDataSource.Builder b = LagwiseDataSource.builder();
        apply("lagwise.master.url", "a plain MariaDB or MySQL URL, e.g. jdbc:mariadb://db-oslo-1:3306/app",
                () -> b.master(p.getMaster().getUrl()));
        List<LagwiseProperties.Replica> replicas = p.getReplicas();
        for (int i = 0; i < replicas.size(); i++) {
            LagwiseProperties.Replica r = replicas.get(i);
            String prefix = "lagwise.replicas[" + i + "]";
            if (r.getRegion() == null || r.getRegion().isBlank()) {
                throw new LagwiseConfigurationException(prefix + ".region", "a replica needs a region",
                        "Set " + prefix + ".region to where the replica runs, e.g. oslo", null);
            }
            apply(prefix + ".url", "a plain MariaDB or MySQL URL, e.g. jdbc:mariadb://db-oslo-2:3306/app",
                    () -> b.replica(r.getUrl(), r.getRegion(), n -> n.backup(r.isBackup())));
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
        Duration lag = p.getMaxReplicationLag();
        apply("lagwise.max-replication-lag", "a positive duration, e.g. 1s", () -> b.maxReplicationLag(lag));
        LagwiseProperties.ReadYourWrites ryw = p.getReadYourWrites();
        if (ryw.getMode() != null) {
            b.readYourWrites(ryw.getMode() == LagwiseProperties.ReadYourWrites.Mode.PIN
                    ? ReadYourWritesMode.PIN : ReadYourWritesMode.GTID);
        }
        apply("lagwise.read-your-writes.max-wait", "a duration from 0 to 10s, e.g. 50ms",
                () -> b.readYourWritesMaxWait(ryw.getMaxWait()));
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new LagwiseConfigurationException("lagwise.replicas", e.getMessage(),
                    "Give each server once, and never the master as a replica", e);
        }
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
