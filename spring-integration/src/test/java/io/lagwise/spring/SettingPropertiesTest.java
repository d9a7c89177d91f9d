package io.lagwise.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.mock;

import io.lagwise.core.ReplicaSelector;
import io.lagwise.jdbc.ConflictingSettingsException;
import io.lagwise.jdbc.InvalidSettingException;
import io.lagwise.jdbc.LagwiseDataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Builder setting names to {@code lagwise.*} properties: the table row by row, then the real
 * builder's failures carried through the auto-configuration (every failure here comes before any
 * connection is made, so no server is needed).
 */
class SettingPropertiesTest {

    private static final String MASTER = "jdbc:mariadb://127.0.0.1:1/app";
    private static final String REPLICA = "jdbc:mariadb://127.0.0.2:1/app";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "name                                | lagwise.name",
        "username                            | lagwise.username",
        "password                            | lagwise.password",
        "localRegion                         | lagwise.local-region",
        "maxReplicationLag                   | lagwise.max-replication-lag",
        "consistency                         | lagwise.consistency",
        "readFallback                        | lagwise.read-fallback",
        "latencyWindow                       | lagwise.latency-window",
        "connectTimeout                      | lagwise.connect-timeout",
        "replicaReadTimeout                  | lagwise.replica-read-timeout",
        "allowDegradedStart                  | lagwise.allow-degraded-start",
        "followPromotions                    | lagwise.follow-promotions",
        "statementCacheSize                  | lagwise.statement-cache-size",
        "monitorInterval                     | lagwise.monitor.interval",
        "probeTimeout                        | lagwise.monitor.probe-timeout",
        "heartbeat                           | lagwise.monitor.heartbeat",
        "heartbeatTable                      | lagwise.monitor.heartbeat-table",
        "monitorCredentials.username         | lagwise.monitor.username",
        "monitorCredentials.password         | lagwise.monitor.password",
        "readYourWrites                      | lagwise.read-your-writes.mode",
        "readYourWritesMaxWait               | lagwise.read-your-writes.max-wait",
        "pinWindowMinimum                    | lagwise.read-your-writes.pin-window-minimum",
        "readYourWritesMasterBudget          | lagwise.read-your-writes.master-budget",
        "master.url                          | lagwise.master.url",
        "master.username                     | lagwise.master.username",
        "master.password                     | lagwise.master.password",
        "replica[0].url                      | lagwise.replicas[0].url",
        "replica[1].url                      | lagwise.replicas[1].url",
        "replica[1].region                   | lagwise.replicas[1].region",
        "replica[12].username                | lagwise.replicas[12].username",
        "replica[1].password                 | lagwise.replicas[1].password",
        "replica[3].backup                   | lagwise.replicas[3].backup",
        "pool.maximumPoolSize                | lagwise.pool.maximum-pool-size",
        "pool.minimumIdle                    | lagwise.pool.minimum-idle",
        "pool.connectionTimeout              | lagwise.pool.connection-timeout",
        "pool.idleTimeout                    | lagwise.pool.idle-timeout",
        "pool.maxLifetime                    | lagwise.pool.max-lifetime",
        "pool.keepaliveTime                  | lagwise.pool.keepalive-time",
        "pool.validationTimeout              | lagwise.pool.validation-timeout",
        "pool.dataSourceProperty[useSsl]     | lagwise.pool.data-source-properties.useSsl",
        "pool.dataSourceProperty             | lagwise.pool.data-source-properties",
        "master.pool.minimumIdle             | lagwise.master.pool.minimum-idle",
        "master.pool.keepaliveTime           | lagwise.master.pool.keepalive-time",
        "replica[0].pool.maximumPoolSize     | lagwise.replicas[0].pool.maximum-pool-size",
        "replica[1].pool.idleTimeout         | lagwise.replicas[1].pool.idle-timeout",
        "replica[2].pool.dataSourceProperty[password] | lagwise.replicas[2].pool.data-source-properties.password",
        "cookieName                          | lagwise.web.cookie-name",
        "headerName                          | lagwise.web.header-name",
        "cookieMaxAge                        | lagwise.web.cookie-max-age",
    })
    void everySettingName_mapsToItsProperty(String setting, String property) {
        SettingProperties.Property p = SettingProperties.of(setting);

        assertThat(p).as(setting).isNotNull();
        assertThat(p.name()).isEqualTo(property);
        assertThat(p.action()).startsWith("Set " + property + " to ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicaSelector", "poolMetrics", "ticker", "listener", "master.backup", "master",
        "replica[x].url", "replica[1].colour", "pool.colour", "master.pool.colour", "lagwise.name", ""})
    void settingsNoPropertyGives_mapToNothing(String setting) {
        assertThat(SettingProperties.of(setting)).isNull();
    }

    @Test
    void anInvalidSettingWithoutProperty_isRethrownAsItIs_aConflictToo() {
        InvalidSettingException invalid = new InvalidSettingException("master.backup", "the master cannot be a backup replica");
        ConflictingSettingsException conflict = new ConflictingSettingsException(List.of("ticker"), "x");

        assertThat(SettingProperties.invalid(invalid.setting(), invalid.getMessage(), invalid)).isSameAs(invalid);
        assertThat(SettingProperties.conflict(conflict)).isSameAs(conflict);
    }

    /** Each row: properties that the builder rejects, and the property the failure must name. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "lagwise.name=                                         | lagwise.name",
        "lagwise.master.url=jdbc:postgresql://db/app          | lagwise.master.url",
        "lagwise.master.username=                              | lagwise.master.username",
        "lagwise.master.pool.maximum-pool-size=0               | lagwise.master.pool.maximum-pool-size",
        "lagwise.replicas[0].url=not a url;lagwise.replicas[0].region=oslo | lagwise.replicas[0].url",
        "lagwise.replicas[0].url=" + REPLICA + "              | lagwise.replicas[0].region",
        "lagwise.replicas[0].url=" + REPLICA + ";lagwise.replicas[0].region= oslo | lagwise.replicas[0].region",
        "lagwise.replicas[0].url=" + REPLICA + ";lagwise.replicas[0].region=oslo;lagwise.replicas[0].username= | lagwise.replicas[0].username",
        "lagwise.replicas[0].url=" + REPLICA + ";lagwise.replicas[0].region=oslo;lagwise.replicas[0].pool.minimum-idle=-1 | lagwise.replicas[0].pool.minimum-idle",
        "lagwise.replicas[0].url=" + REPLICA + ";lagwise.replicas[0].region=oslo;lagwise.replicas[0].pool.data-source-properties.user=x | lagwise.replicas[0].pool.data-source-properties.user",
        "lagwise.username=                                     | lagwise.username",
        "lagwise.local-region=                                 | lagwise.local-region",
        "lagwise.max-replication-lag=0s                        | lagwise.max-replication-lag",
        "lagwise.latency-window=-1ms                           | lagwise.latency-window",
        "lagwise.connect-timeout=0s                            | lagwise.connect-timeout",
        "lagwise.replica-read-timeout=-1s                      | lagwise.replica-read-timeout",
        "lagwise.statement-cache-size=0                        | lagwise.statement-cache-size",
        "lagwise.pool.maximum-pool-size=0                      | lagwise.pool.maximum-pool-size",
        "lagwise.pool.connection-timeout=1ms                   | lagwise.pool.connection-timeout",
        "lagwise.pool.idle-timeout=1s                          | lagwise.pool.idle-timeout",
        "lagwise.pool.max-lifetime=1s                          | lagwise.pool.max-lifetime",
        "lagwise.pool.keepalive-time=1s                        | lagwise.pool.keepalive-time",
        "lagwise.pool.validation-timeout=1ms                   | lagwise.pool.validation-timeout",
        "lagwise.pool.data-source-properties.password=x        | lagwise.pool.data-source-properties.password",
        "lagwise.monitor.interval=1ms                          | lagwise.monitor.interval",
        "lagwise.monitor.probe-timeout=1ms                     | lagwise.monitor.probe-timeout",
        "lagwise.monitor.heartbeat=1ms                         | lagwise.monitor.heartbeat",
        "lagwise.monitor.heartbeat-table=drop table x          | lagwise.monitor.heartbeat-table",
        "lagwise.monitor.username=monitor                      | lagwise.monitor.password",
        "lagwise.monitor.password=x                            | lagwise.monitor.username",
        "lagwise.read-your-writes.max-wait=1h                  | lagwise.read-your-writes.max-wait",
        "lagwise.read-your-writes.pin-window-minimum=-1ms      | lagwise.read-your-writes.pin-window-minimum",
        "lagwise.read-your-writes.master-budget=-1             | lagwise.read-your-writes.master-budget",
        // checked per node at build(), before any connection
        "lagwise.master.pool.maximum-pool-size=2;lagwise.master.pool.minimum-idle=5 | lagwise.master.pool.minimum-idle",
        "lagwise.master.pool.maximum-pool-size=2;lagwise.pool.minimum-idle=5 | lagwise.pool.minimum-idle",
        "lagwise.pool.max-lifetime=1m;lagwise.master.pool.keepalive-time=2m | lagwise.master.pool.keepalive-time",
        "lagwise.pool.max-lifetime=1m;lagwise.pool.idle-timeout=1m | lagwise.pool.idle-timeout",
        // conflicts name every property involved
        "lagwise.master.url=" + MASTER + "?password=a;lagwise.password=b | lagwise.master.url or lagwise.password",
        "lagwise.master.url=" + MASTER + "?password=a;lagwise.master.password=b | lagwise.master.url or lagwise.master.password",
        "lagwise.replicas[0].url=" + MASTER + ";lagwise.replicas[0].region=oslo | lagwise.replicas[0].url or lagwise.master.url",
        "lagwise.replicas[0].url=" + REPLICA + ";lagwise.replicas[0].region=oslo;lagwise.replicas[1].url=" + REPLICA + ";lagwise.replicas[1].region=fra | lagwise.replicas[1].url or lagwise.replicas[0].url",
    })
    void builderFailures_nameTheProperty(String assignments, String property) {
        LagwiseConfigurationException e = assertThrows(LagwiseConfigurationException.class,
                () -> LagwiseAutoConfiguration.build(bind(assignments), List.of()));

        assertThat(e.property()).isEqualTo(property);
        assertThat(e).hasMessageStartingWith(property + ": ");
        assertThat(e.action()).contains(property.split(" or ")[0]);
    }

    @Test
    void aPasswordGivenTwice_saysHowToGiveItOnce_withoutShowingIt() {
        LagwiseConfigurationException e = assertThrows(LagwiseConfigurationException.class,
                () -> LagwiseAutoConfiguration.build(bind("lagwise.master.url=" + MASTER + "?password=inurl;lagwise.password=byproperty"), List.of()));

        assertThat(e).hasMessage("lagwise.master.url or lagwise.password: the password for master is given twice: in its URL and by password(); give it once");
        assertThat(e.action()).isEqualTo("Check lagwise.master.url or lagwise.password: give each node's password once: in its URL, or by lagwise.password (or the node's own password property), not both");
        assertThat(e.getCause()).isInstanceOf(ConflictingSettingsException.class);
    }

    @Test
    void aNullValue_namesTheCallsProperty() {
        LagwiseProperties properties = bind("");
        properties.setConsistency(null);

        LagwiseConfigurationException e = assertThrows(LagwiseConfigurationException.class,
                () -> LagwiseAutoConfiguration.build(properties, List.of()));

        assertThat(e).hasMessage("lagwise.consistency: is missing");
        assertThat(e.action()).isEqualTo("Set lagwise.consistency to eventual, read-your-writes or strong");
    }

    @Test
    void aCustomizersSelector_besideTheLatencyWindowProperty_namesTheProperty() {
        LagwiseDataSourceCustomizer selector = b -> b.replicaSelector(ReplicaSelector.preferLocal());

        LagwiseConfigurationException e = assertThrows(LagwiseConfigurationException.class,
                () -> LagwiseAutoConfiguration.build(bind("lagwise.latency-window=3ms"), List.of(selector)));

        assertThat(e.property()).isEqualTo("lagwise.latency-window");
        assertThat(e.action()).isEqualTo("Remove lagwise.latency-window: a custom ReplicaSelector decides nearness itself");
    }

    @Test
    void aCustomizersOwnMistake_staysItsOwn() {
        LagwiseDataSourceCustomizer both = b -> b.latencyWindow(Duration.ofMillis(3)).replicaSelector(ReplicaSelector.preferLocal());
        LagwiseDataSourceCustomizer bad = b -> b.maxReplicationLag(Duration.ZERO);

        assertThatThrownBy(() -> LagwiseAutoConfiguration.build(bind(""), List.of(both))).isInstanceOf(ConflictingSettingsException.class);
        assertThatThrownBy(() -> LagwiseAutoConfiguration.build(bind(""), List.of(bad))).isInstanceOf(InvalidSettingException.class);
    }

    @Test
    void webFailures_nameTheProperty() {
        assertWebFailure(web -> web.setCookieName("no spaces;"), "lagwise.web.cookie-name");
        assertWebFailure(web -> web.setHeaderName(""), "lagwise.web.header-name");
        assertWebFailure(web -> web.setCookieMaxAge(Duration.ofMillis(500)), "lagwise.web.cookie-max-age");
    }

    private static void assertWebFailure(java.util.function.Consumer<LagwiseProperties.Web> change, String property) {
        LagwiseProperties properties = bind("");
        change.accept(properties.getWeb());

        LagwiseConfigurationException e = assertThrows(LagwiseConfigurationException.class,
                () -> new LagwiseWebAutoConfiguration().lagwiseConsistencyTokenFilter(mock(LagwiseDataSource.class), properties));

        assertThat(e.property()).isEqualTo(property);
        assertThat(e.action()).startsWith("Set " + property + " to ");
        assertThat(e.getCause()).isInstanceOf(InvalidSettingException.class);
    }

    /** Binds {@code name=value} pairs separated by ';' over a master that no test connects to. */
    private static LagwiseProperties bind(String assignments) {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("lagwise.master.url", MASTER);
        for (String assignment : assignments.split(";")) {
            int equals = assignment.indexOf('=');
            if (equals > 0) {
                source.put(assignment.substring(0, equals).strip(), assignment.substring(equals + 1));
            }
        }
        return new Binder(new MapConfigurationPropertySource(source)).bindOrCreate("lagwise", LagwiseProperties.class);
    }
}
