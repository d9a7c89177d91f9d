package io.lagwise.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The IDE help for {@code lagwise.*} comes from metadata that the configuration processor writes
 * at compile time from field javadoc; this fails if the processor stops running.
 */
class ConfigurationMetadataTest {

    private static final Pattern OBJECT = Pattern.compile("\\{(?:[^{}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*\\}");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Test
    void everyProperty_hasADescription_andDefaultsAreDeclared() throws IOException {
        Map<String, Map<String, String>> properties = properties();

        assertThat(properties).containsOnlyKeys(
                "lagwise.name",
                "lagwise.master.url",
                "lagwise.master.username",
                "lagwise.master.password",
                "lagwise.replicas",
                "lagwise.username",
                "lagwise.password",
                "lagwise.local-region",
                "lagwise.max-replication-lag",
                "lagwise.consistency",
                "lagwise.read-fallback",
                "lagwise.latency-window",
                "lagwise.connect-timeout",
                "lagwise.replica-read-timeout",
                "lagwise.allow-degraded-start",
                "lagwise.follow-promotions",
                "lagwise.statement-cache-size",
                "lagwise.master.pool.maximum-pool-size",
                "lagwise.master.pool.minimum-idle",
                "lagwise.master.pool.connection-timeout",
                "lagwise.master.pool.idle-timeout",
                "lagwise.master.pool.max-lifetime",
                "lagwise.master.pool.keepalive-time",
                "lagwise.master.pool.validation-timeout",
                "lagwise.master.pool.data-source-properties",
                "lagwise.pool.maximum-pool-size",
                "lagwise.pool.minimum-idle",
                "lagwise.pool.connection-timeout",
                "lagwise.pool.idle-timeout",
                "lagwise.pool.max-lifetime",
                "lagwise.pool.keepalive-time",
                "lagwise.pool.validation-timeout",
                "lagwise.pool.data-source-properties",
                "lagwise.monitor.interval",
                "lagwise.monitor.probe-timeout",
                "lagwise.monitor.heartbeat",
                "lagwise.monitor.heartbeat-table",
                "lagwise.monitor.username",
                "lagwise.monitor.password",
                "lagwise.read-your-writes.mode",
                "lagwise.read-your-writes.max-wait",
                "lagwise.read-your-writes.pin-window-minimum",
                "lagwise.read-your-writes.master-budget",
                "lagwise.web.enabled",
                "lagwise.web.cookie-name",
                "lagwise.web.cookie-max-age",
                "lagwise.web.header-name");
        properties.forEach((name, property) ->
                assertThat(property.get("description")).as(name).isNotBlank());
        assertThat(properties.get("lagwise.max-replication-lag")).containsEntry("defaultValue", "1s");
        assertThat(properties.get("lagwise.read-your-writes.max-wait")).containsEntry("defaultValue", "50ms");
        assertThat(properties.get("lagwise.read-your-writes.mode")).containsEntry("defaultValue", "gtid");
        assertThat(properties.get("lagwise.monitor.interval")).containsEntry("defaultValue", "250ms");
        assertThat(properties.get("lagwise.consistency")).containsEntry("defaultValue", "read-your-writes");
        assertThat(properties.get("lagwise.web.cookie-name")).containsEntry("defaultValue", "lagwise-consistency");
        assertThat(properties.get("lagwise.pool.maximum-pool-size").get("description")).contains("Default 10");
    }

    /**
     * Reads the "properties" array. The processor writes it as flat objects of string and boolean
     * fields, which a pattern reads reliably; Spring Boot's BasicJsonParser does not, because it
     * splits on the brackets inside our descriptions ("host[:port][/database]").
     */
    private static Map<String, Map<String, String>> properties() throws IOException {
        String json;
        try (InputStream in = LagwiseProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata written by spring-boot-configuration-processor").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int start = json.indexOf("\"properties\"");
        int end = json.indexOf("\"hints\"", start);
        String section = json.substring(start, end < 0 ? json.length() : end);
        Map<String, Map<String, String>> properties = new LinkedHashMap<>();
        Matcher object = OBJECT.matcher(section);
        while (object.find()) {
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher field = FIELD.matcher(object.group());
            while (field.find()) {
                fields.put(field.group(1), field.group(2).replace("\\\"", "\""));
            }
            properties.put(fields.get("name"), fields);
        }
        return properties;
    }
}
