package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.Consistency;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LagwiseSettings}: flat {@code lagwise.*} properties, named as the Spring Boot ones, onto the
 * builder — every setting, placeholders from the environment, and every mistake named with its origin,
 * property and value (never a password). No server: the builder is read back, not built.
 */
class LagwiseSettingsTest {

    static final String ORIGIN = "/etc/app/lagwise.properties";

    static Map<String, String> minimal() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("lagwise.master.url", "jdbc:mariadb://db-oslo-1:3306/app");
        p.put("lagwise.replicas[0].url", "jdbc:mariadb://db-oslo-2:3306/app");
        p.put("lagwise.replicas[0].region", "oslo");
        return p;
    }

    static LagwiseDataSource.Builder parse(Map<String, String> p) {
        return LagwiseSettings.builder(p, ORIGIN, name -> name.equals("LAGWISE_PASSWORD") ? "s3cret-from-env" : null);
    }

    @SuppressWarnings("unchecked")
    static <T> T field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(o);
    }

    @Test
    void everySetting_reachesTheBuilder() throws Exception {
        Map<String, String> p = minimal();
        p.put("lagwise.name", "shop");
        p.put("lagwise.username", "app");
        p.put("lagwise.password", "${LAGWISE_PASSWORD}");
        p.put("lagwise.local-region", "oslo");
        p.put("lagwise.max-replication-lag", "2s");
        p.put("lagwise.consistency", "eventual");
        p.put("lagwise.read-fallback", "fail");
        p.put("lagwise.latency-window", "3ms");
        p.put("lagwise.connect-timeout", "PT2S");
        p.put("lagwise.replica-read-timeout", "10s");
        p.put("lagwise.allow-degraded-start", "true");
        p.put("lagwise.follow-promotions", "false");
        p.put("lagwise.statement-cache-size", "500");
        p.put("lagwise.monitor.interval", "100ms");
        p.put("lagwise.monitor.probe-timeout", "400ms");
        p.put("lagwise.monitor.heartbeat", "1s");
        p.put("lagwise.monitor.heartbeat-table", "hb");
        p.put("lagwise.read-your-writes.mode", "pin");
        p.put("lagwise.read-your-writes.max-wait", "20ms");
        p.put("lagwise.read-your-writes.pin-window-minimum", "200ms");
        p.put("lagwise.read-your-writes.master-budget", "0.5");
        p.put("lagwise.pool.maximum-pool-size", "8");
        p.put("lagwise.master.pool.maximum-pool-size", "20");
        p.put("lagwise.replicas[0].pool.data-source-properties.useCompression", "true");
        p.put("lagwise.replicas[1].url", "jdbc:mysql://db-fra-1:3306/app");
        p.put("lagwise.replicas[1].region", "frankfurt");
        p.put("lagwise.replicas[1].backup", "true");
        p.put("lagwise.replicas[1].username", "reader");
        p.put("lagwise.web.cookie-name", "ignored-here");
        LagwiseDataSource.Builder b = parse(p);
        assertThat((String) field(b, "name")).isEqualTo("shop");
        assertThat((String) field(b, "password")).isEqualTo("s3cret-from-env");
        assertThat((String) field(b, "localRegion")).isEqualTo("oslo");
        assertThat((Duration) field(b, "maxReplicationLag")).isEqualTo(Duration.ofSeconds(2));
        assertThat((Consistency) field(b, "consistency")).isEqualTo(Consistency.EVENTUAL);
        assertThat((ReadFallback) field(b, "readFallback")).isEqualTo(ReadFallback.FAIL);
        assertThat((Duration) field(b, "latencyWindow")).isEqualTo(Duration.ofMillis(3));
        assertThat((Duration) field(b, "connectTimeout")).isEqualTo(Duration.ofSeconds(2));
        assertThat((Duration) field(b, "replicaReadTimeout")).isEqualTo(Duration.ofSeconds(10));
        assertThat((Boolean) field(b, "degradedStart")).isTrue();
        assertThat((Boolean) field(b, "followPromotions")).isFalse();
        assertThat((Duration) field(b, "monitorInterval")).isEqualTo(Duration.ofMillis(100));
        assertThat((Duration) field(b, "probeTimeout")).isEqualTo(Duration.ofMillis(400));
        assertThat((Duration) field(b, "heartbeatInterval")).isEqualTo(Duration.ofSeconds(1));
        assertThat((String) field(b, "heartbeatTable")).isEqualTo("hb");
        assertThat((ReadYourWritesMode) field(b, "readYourWritesMode")).isEqualTo(ReadYourWritesMode.PIN);
        assertThat((Duration) field(b, "readYourWritesMaxWait")).isEqualTo(Duration.ofMillis(20));
        assertThat((Duration) field(b, "pinWindowMinimum")).isEqualTo(Duration.ofMillis(200));
        assertThat((Double) field(b, "readYourWritesMasterBudget")).isEqualTo(0.5);
        assertThat(((java.util.List<?>) field(b, "replicas"))).hasSize(2);
        assertThat(b.toString()).doesNotContain("s3cret");
    }

    @Test
    void camelCaseNames_areTheSameProperties() throws Exception {
        Map<String, String> p = minimal();
        p.put("lagwise.localRegion", "oslo");
        p.put("lagwise.readYourWrites.maxWait", "30ms");
        LagwiseDataSource.Builder b = parse(p);
        assertThat((String) field(b, "localRegion")).isEqualTo("oslo");
        assertThat((Duration) field(b, "readYourWritesMaxWait")).isEqualTo(Duration.ofMillis(30));
    }

    @Test
    void placeholders_resolveFromTheEnvironment_withDefaults_andAnUnsetOneIsNamed() throws Exception {
        Map<String, String> p = minimal();
        p.put("lagwise.username", "${LAGWISE_USER:app}");
        assertThat((String) field(parse(p), "username")).isEqualTo("app");
        p.put("lagwise.password", "${LAGWISE_DB_PASSWORD}");
        assertThatThrownBy(() -> parse(p)).isInstanceOf(LagwiseSettingsException.class)
                .hasMessage(ORIGIN + ": lagwise.password=**** names LAGWISE_DB_PASSWORD, which is neither a system property"
                        + " nor an environment variable here (write ${LAGWISE_DB_PASSWORD:default} for a default)");
    }

    @Test
    void everyMistake_namesTheOriginThePropertyAndTheValue_neverAPassword() {
        assertFails("lagwise.max-replica-lag", "1s", "lagwise.max-replica-lag is not a Lagwise setting; did you mean lagwise.max-replication-lag?");
        assertFails("lagwise.max-replication-lag", "soon", "lagwise.max-replication-lag=soon is not a duration: write 250ms, 1s, 2m or an ISO-8601 duration such as PT1S");
        assertFails("lagwise.consistency", "sometimes", "lagwise.consistency=sometimes is not one of eventual, read-your-writes, strong");
        assertFails("lagwise.follow-promotions", "maybe", "lagwise.follow-promotions=maybe is not true or false");
        assertFails("lagwise.pool.maximum-pool-size", "ten", "lagwise.pool.maximum-pool-size=ten is not a whole number");
        assertFails("lagwise.pool.max-size", "10", "lagwise.pool.max-size is not a pool setting");
        assertFails("spring.datasource.url", "x", "spring.datasource.url is not a Lagwise property");
        assertFails("lagwise.replicas[0].pasword", "x", "lagwise.replicas[0].pasword is not a node setting");
        assertFails("lagwise.monitor.interval", "1ms", "lagwise.monitor.interval=1ms ");
        Map<String, String> p = minimal();
        p.put("lagwise.master.password", "hunter2");
        p.put("lagwise.master.url", "jdbc:postgresql://db-oslo-1:3306/app?password=hunter3"); // not ours: refused
        assertThatThrownBy(() -> parse(p)).isInstanceOf(LagwiseSettingsException.class)
                .hasMessageContaining(ORIGIN + ": lagwise.master.url=")
                .hasMessageNotContaining("hunter2").hasMessageNotContaining("hunter3");
    }

    @Test
    void missingOrGappedNodes_areNamed() {
        Map<String, String> noMaster = minimal();
        noMaster.remove("lagwise.master.url");
        assertThatThrownBy(() -> parse(noMaster)).hasMessage(ORIGIN + ": lagwise.master.url is missing: every Lagwise data source needs its master's URL");
        Map<String, String> gap = minimal();
        gap.put("lagwise.replicas[2].url", "jdbc:mariadb://db-oslo-3:3306/app");
        gap.put("lagwise.replicas[2].region", "oslo");
        assertThatThrownBy(() -> parse(gap)).hasMessage(ORIGIN + ": lagwise.replicas[2].url replicas are numbered from 0 without gaps; lagwise.replicas[1] is missing");
        Map<String, String> noRegion = minimal();
        noRegion.remove("lagwise.replicas[0].region");
        assertThatThrownBy(() -> parse(noRegion)).hasMessage(ORIGIN + ": lagwise.replicas[0].region is missing: every replica needs a region, e.g. oslo");
    }

    @Test
    void theBuildersSettingNames_mapToTheirProperties() {
        assertThat(LagwiseSettings.property("master.url")).isEqualTo("lagwise.master.url");
        assertThat(LagwiseSettings.property("replica[1].region")).isEqualTo("lagwise.replicas[1].region");
        assertThat(LagwiseSettings.property("replica[0].pool.minimumIdle")).isEqualTo("lagwise.replicas[0].pool.minimum-idle");
        assertThat(LagwiseSettings.property("pool.dataSourceProperty[useSsl]")).isEqualTo("lagwise.pool.data-source-properties.useSsl");
        assertThat(LagwiseSettings.property("maxReplicationLag")).isEqualTo("lagwise.max-replication-lag");
        assertThat(LagwiseSettings.property("probeTimeout")).isEqualTo("lagwise.monitor.probe-timeout");
        assertThat(LagwiseSettings.property("readYourWritesMaxWait")).isEqualTo("lagwise.read-your-writes.max-wait");
        assertThat(LagwiseSettings.property("password")).isEqualTo("lagwise.password");
    }

    private static void assertFails(String property, String value, String expected) {
        Map<String, String> p = minimal();
        p.put(property, value);
        assertThatThrownBy(() -> parse(p)).isInstanceOf(LagwiseSettingsException.class)
                .hasMessageStartingWith(ORIGIN + ": " + expected)
                .hasMessageNotContaining("hunter2")
                .satisfies(e -> assertThat(((LagwiseSettingsException) e).property()).isEqualTo(LagwiseSettings.canonical(property)));
    }
}
