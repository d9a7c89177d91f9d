package io.lagwise.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lagwise.spring.LagwiseProperties.ReadYourWrites.Mode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class LagwisePropertiesTest {

    private static final String SECRET = "Xq7HvKz9Wn";

    @Test
    void isBoundUnderLagwise() {
        ConfigurationProperties annotation = LagwiseProperties.class.getAnnotation(ConfigurationProperties.class);

        assertThat(annotation.value()).isEqualTo("lagwise");
    }

    @Test
    void nothingSet_givesTheDocumentedDefaults() {
        LagwiseProperties properties = bind(Map.of());

        assertThat(properties.getMaster().getUrl()).isNull();
        assertThat(properties.getReplicas()).isEmpty();
        assertThat(properties.getUsername()).isNull();
        assertThat(properties.getPassword()).isNull();
        assertThat(properties.getLocalRegion()).isNull();
        assertThat(properties.getMaxReplicationLag()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.getReadYourWrites().getMode()).isEqualTo(Mode.GTID);
        assertThat(properties.getReadYourWrites().getMaxWait()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void everyProperty_isBoundFromKebabCaseNames() {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("lagwise.master.url", "jdbc:mariadb://db-master.oslo:3306/shop");
        source.put("lagwise.replicas[0].url", "jdbc:mariadb://db-replica-1.oslo:3306/shop");
        source.put("lagwise.replicas[0].region", "oslo");
        source.put("lagwise.replicas[1].url", "jdbc:mysql://db-replica-1.frankfurt:3306/shop");
        source.put("lagwise.replicas[1].region", "frankfurt");
        source.put("lagwise.replicas[1].backup", "true");
        source.put("lagwise.username", "shop");
        source.put("lagwise.password", SECRET);
        source.put("lagwise.local-region", "oslo");
        source.put("lagwise.max-replication-lag", "250ms");
        source.put("lagwise.read-your-writes.mode", "pin");
        source.put("lagwise.read-your-writes.max-wait", "20ms");

        LagwiseProperties properties = bind(source);

        assertThat(properties.getMaster().getUrl()).isEqualTo("jdbc:mariadb://db-master.oslo:3306/shop");
        assertThat(properties.getReplicas()).hasSize(2);
        assertThat(properties.getReplicas().get(0).getUrl()).isEqualTo("jdbc:mariadb://db-replica-1.oslo:3306/shop");
        assertThat(properties.getReplicas().get(0).getRegion()).isEqualTo("oslo");
        assertThat(properties.getReplicas().get(0).isBackup()).isFalse();
        assertThat(properties.getReplicas().get(1).getUrl()).isEqualTo("jdbc:mysql://db-replica-1.frankfurt:3306/shop");
        assertThat(properties.getReplicas().get(1).getRegion()).isEqualTo("frankfurt");
        assertThat(properties.getReplicas().get(1).isBackup()).isTrue();
        assertThat(properties.getUsername()).isEqualTo("shop");
        assertThat(properties.getPassword()).isEqualTo(SECRET);
        assertThat(properties.getLocalRegion()).isEqualTo("oslo");
        assertThat(properties.getMaxReplicationLag()).isEqualTo(Duration.ofMillis(250));
        assertThat(properties.getReadYourWrites().getMode()).isEqualTo(Mode.PIN);
        assertThat(properties.getReadYourWrites().getMaxWait()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void camelCaseNames_bindToo() {
        LagwiseProperties properties = bind(Map.of(
                "lagwise.localRegion", "oslo",
                "lagwise.maxReplicationLag", "2s",
                "lagwise.readYourWrites.maxWait", "10ms"));

        assertThat(properties.getLocalRegion()).isEqualTo("oslo");
        assertThat(properties.getMaxReplicationLag()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.getReadYourWrites().getMaxWait()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void replicas_keepTheirIndexOrder() {
        Map<String, String> source = new LinkedHashMap<>();
        for (int i = 4; i >= 0; i--) {
            source.put("lagwise.replicas[" + i + "].url", "jdbc:mariadb://replica-" + i + "/shop");
        }

        LagwiseProperties properties = bind(source);

        assertThat(properties.getReplicas())
                .extracting(LagwiseProperties.Replica::getUrl)
                .containsExactly(
                        "jdbc:mariadb://replica-0/shop",
                        "jdbc:mariadb://replica-1/shop",
                        "jdbc:mariadb://replica-2/shop",
                        "jdbc:mariadb://replica-3/shop",
                        "jdbc:mariadb://replica-4/shop");
    }

    @Test
    void replica_withOnlyAUrl_isNotABackupAndHasNoRegion() {
        LagwiseProperties properties = bind(Map.of("lagwise.replicas[0].url", "jdbc:mariadb://replica-0/shop"));

        assertThat(properties.getReplicas()).singleElement().satisfies(replica -> {
            assertThat(replica.getRegion()).isNull();
            assertThat(replica.isBackup()).isFalse();
        });
    }

    @ParameterizedTest
    @CsvSource({
        "250ms,   PT0.25S",
        "1500ms,  PT1.5S",
        "2s,      PT2S",
        "1m,      PT1M",
        "PT0.5S,  PT0.5S",
        "500,     PT0.5S",
        "0s,      PT0S",
    })
    void durations_acceptSpringFormatsWithMillisecondsAsDefaultUnit(String text, Duration expected) {
        LagwiseProperties properties = bind(Map.of(
                "lagwise.max-replication-lag", text,
                "lagwise.read-your-writes.max-wait", text));

        assertThat(properties.getMaxReplicationLag()).isEqualTo(expected);
        assertThat(properties.getReadYourWrites().getMaxWait()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"gtid, GTID", "GTID, GTID", "pin, PIN", "Pin, PIN"})
    void readYourWritesMode_bindsIgnoringCase(String text, Mode expected) {
        LagwiseProperties properties = bind(Map.of("lagwise.read-your-writes.mode", text));

        assertThat(properties.getReadYourWrites().getMode()).isEqualTo(expected);
    }

    @Test
    void unknownMode_failsNamingTheProperty() {
        Map<String, String> source = Map.of("lagwise.read-your-writes.mode", "eventual");

        BindException e = assertThrows(BindException.class, () -> bind(source));

        assertThat(e).hasMessage("Failed to bind properties under 'lagwise.read-your-writes.mode' to "
                + Mode.class.getName());
        assertThat(e.getProperty().getValue()).isEqualTo("eventual");
    }

    @Test
    void malformedDuration_failsNamingTheProperty() {
        assertThatThrownBy(() -> bind(Map.of("lagwise.max-replication-lag", "fast")))
                .isInstanceOf(BindException.class)
                .hasMessage("Failed to bind properties under 'lagwise.max-replication-lag' to java.time.Duration");
    }

    @Test
    void malformedBackupFlag_failsNamingTheProperty() {
        assertThatThrownBy(() -> bind(Map.of("lagwise.replicas[0].backup", "sometimes")))
                .isInstanceOf(BindException.class)
                .hasMessage("Failed to bind properties under 'lagwise.replicas[0].backup' to boolean");
    }

    @Test
    void toString_masksThePassword() {
        LagwiseProperties properties = bind(Map.of(
                "lagwise.master.url", "jdbc:mariadb://db-master/shop",
                "lagwise.username", "shop",
                "lagwise.password", SECRET));

        assertThat(properties.toString())
                .doesNotContain(SECRET)
                .contains("password=***", "username=shop", "url=jdbc:mariadb://db-master/shop");
    }

    @Test
    void toString_masksEveryPassword_nodesMonitorAndDriverProperties() {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("lagwise.master.url", "jdbc:mariadb://db-master/shop");
        source.put("lagwise.master.password", SECRET + "1");
        source.put("lagwise.replicas[0].url", "jdbc:mariadb://db-replica/shop");
        source.put("lagwise.replicas[0].password", SECRET + "2");
        source.put("lagwise.monitor.username", "monitor");
        source.put("lagwise.monitor.password", SECRET + "3");
        source.put("lagwise.pool.data-source-properties.trustStorePassword", SECRET + "4");
        source.put("lagwise.pool.data-source-properties.useServerPrepStmts", "true");

        String text = bind(source).toString();

        assertThat(text).doesNotContain(SECRET).contains("trustStorePassword=***", "useServerPrepStmts=true",
                "username=monitor");
    }

    @Test
    void everyBuilderSetting_hasAProperty() {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("lagwise.name", "shop");
        source.put("lagwise.master.username", "writer");
        source.put("lagwise.master.pool.maximum-pool-size", "20");
        source.put("lagwise.replicas[0].url", "jdbc:mariadb://db-replica/shop");
        source.put("lagwise.replicas[0].username", "reader");
        source.put("lagwise.replicas[0].pool.minimum-idle", "2");
        source.put("lagwise.consistency", "eventual");
        source.put("lagwise.read-fallback", "fail");
        source.put("lagwise.latency-window", "3ms");
        source.put("lagwise.connect-timeout", "2s");
        source.put("lagwise.replica-read-timeout", "10s");
        source.put("lagwise.allow-degraded-start", "true");
        source.put("lagwise.follow-promotions", "false");
        source.put("lagwise.statement-cache-size", "500");
        source.put("lagwise.pool.maximum-pool-size", "8");
        source.put("lagwise.pool.minimum-idle", "1");
        source.put("lagwise.pool.connection-timeout", "1s");
        source.put("lagwise.pool.idle-timeout", "5m");
        source.put("lagwise.pool.max-lifetime", "20m");
        source.put("lagwise.pool.keepalive-time", "1m");
        source.put("lagwise.pool.validation-timeout", "500ms");
        source.put("lagwise.monitor.interval", "100ms");
        source.put("lagwise.monitor.probe-timeout", "400ms");
        source.put("lagwise.monitor.heartbeat", "1s");
        source.put("lagwise.monitor.heartbeat-table", "hb");
        source.put("lagwise.read-your-writes.pin-window-minimum", "200ms");
        source.put("lagwise.read-your-writes.master-budget", "0.5");
        source.put("lagwise.web.enabled", "false");
        source.put("lagwise.web.cookie-name", "c");
        source.put("lagwise.web.header-name", "h");
        source.put("lagwise.web.cookie-max-age", "1m");

        LagwiseProperties p = bind(source);

        assertThat(p.getName()).isEqualTo("shop");
        assertThat(p.getMaster().getUsername()).isEqualTo("writer");
        assertThat(p.getMaster().getPool().getMaximumPoolSize()).isEqualTo(20);
        assertThat(p.getReplicas().get(0).getUsername()).isEqualTo("reader");
        assertThat(p.getReplicas().get(0).getPool().getMinimumIdle()).isEqualTo(2);
        assertThat(p.getConsistency()).isEqualTo(io.lagwise.core.Consistency.EVENTUAL);
        assertThat(p.getReadFallback()).isEqualTo(io.lagwise.jdbc.ReadFallback.FAIL);
        assertThat(p.getLatencyWindow()).isEqualTo(Duration.ofMillis(3));
        assertThat(p.getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.getReplicaReadTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.isAllowDegradedStart()).isTrue();
        assertThat(p.isFollowPromotions()).isFalse();
        assertThat(p.getStatementCacheSize()).isEqualTo(500);
        assertThat(p.getPool().getMaximumPoolSize()).isEqualTo(8);
        assertThat(p.getPool().getMinimumIdle()).isEqualTo(1);
        assertThat(p.getPool().getConnectionTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.getPool().getIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.getPool().getMaxLifetime()).isEqualTo(Duration.ofMinutes(20));
        assertThat(p.getPool().getKeepaliveTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.getPool().getValidationTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.getMonitor().getInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(p.getMonitor().getProbeTimeout()).isEqualTo(Duration.ofMillis(400));
        assertThat(p.getMonitor().getHeartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.getMonitor().getHeartbeatTable()).isEqualTo("hb");
        assertThat(p.getReadYourWrites().getPinWindowMinimum()).isEqualTo(Duration.ofMillis(200));
        assertThat(p.getReadYourWrites().getMasterBudget()).isEqualTo(0.5);
        assertThat(p.getWeb().isEnabled()).isFalse();
        assertThat(p.getWeb().getCookieName()).isEqualTo("c");
        assertThat(p.getWeb().getHeaderName()).isEqualTo("h");
        assertThat(p.getWeb().getCookieMaxAge()).isEqualTo(Duration.ofMinutes(1));
    }

    @ParameterizedTest
    @CsvSource({"eventual, EVENTUAL", "read-your-writes, READ_YOUR_WRITES", "READ_YOUR_WRITES, READ_YOUR_WRITES",
        "strong, STRONG"})
    void consistency_bindsFromKebabCase(String text, io.lagwise.core.Consistency expected) {
        assertThat(bind(Map.of("lagwise.consistency", text)).getConsistency()).isEqualTo(expected);
    }

    @Test
    void toString_showsAnUnsetPasswordAsNull() {
        assertThat(new LagwiseProperties().toString()).contains("password=null");
    }

    @Test
    void toString_masksPasswordsInsideUrls() {
        LagwiseProperties properties = bind(Map.of(
                "lagwise.master.url", "jdbc:mariadb://db-master/shop?user=shop&password=" + SECRET,
                "lagwise.replicas[0].url", "jdbc:mysql://shop:" + SECRET + "@replica-1:3306/shop",
                "lagwise.replicas[0].region", "oslo"));

        assertThat(properties.toString())
                .doesNotContain(SECRET)
                .contains("master=Master[url=jdbc:mariadb://db-master/shop?user=shop&password=***,")
                .contains("replicas=[Replica[url=jdbc:mysql://***@replica-1:3306/shop, region=oslo, backup=false,");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "jdbc:mariadb://db1/app?password=Xq7HvKz9Wn",
        "jdbc:mariadb://db1/app?password=Xq7Hv@Kz9Wn&useSsl=true",
        "jdbc:mariadb://db1/app?password=Xq7Hv&Kz9Wn",
        "jdbc:mariadb://db1/app?keyStorePassword=Xq7HvKz9Wn",
        "jdbc:mysql://app:Xq7HvKz9Wn@db1/app",
        "jdbc:mysql://app:Xq7Hv/Kz9Wn@db1/app",
        "jdbc:mysql://app:Xq7Hv?Kz9Wn@db1/app",
        "jdbc:mysql://app:Xq7Hv@Kz9Wn@db1/app?password=Xq7Hv@Kz9Wn",
        "jdbc:mariadb:replication://app:Xq7HvKz9Wn@db1,db2/app",
    })
    void maskUrl_hidesEveryPartOfThePassword(String url) {
        assertThat(LagwiseProperties.maskUrl(url)).contains("***").doesNotContain("Xq7Hv", "Kz9Wn");
    }

    @Test
    void maskUrl_leavesAUrlWithoutSecretsAlone() {
        assertThat(LagwiseProperties.maskUrl("jdbc:mariadb://db1:3306/app?useSsl=true"))
                .isEqualTo("jdbc:mariadb://db1:3306/app?useSsl=true");
        assertThat(LagwiseProperties.maskUrl(null)).isNull();
    }

    private static LagwiseProperties bind(Map<String, String> source) {
        Binder binder = new Binder(new MapConfigurationPropertySource(source));
        return binder.bindOrCreate("lagwise", LagwiseProperties.class);
    }
}
