package io.lagwise.spring;

import io.lagwise.jdbc.ConflictingSettingsException;
import io.lagwise.jdbc.InvalidSettingException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which {@code lagwise.*} property gives each setting Lagwise checks, and what it takes: how the
 * setting named by an {@link InvalidSettingException} or a {@link ConflictingSettingsException}
 * becomes a {@link LagwiseConfigurationException} that names the property. Keyed on the
 * exceptions' setting names ({@code maxReplicationLag}, {@code replica[1].url},
 * {@code replica[0].pool.maximumPoolSize}, and the {@link ConsistencyTokenFilter}'s
 * {@code cookieName}…), never on message text, so a reworded message cannot break it.
 */
final class SettingProperties {

    /** A property, and what to write in it. */
    record Property(String name, String expected) {

        /** The failure analysis's action: what to write instead. */
        String action() {
            return "Set " + name + " to " + expected;
        }
    }

    /** A node's setting: {@code master.url}, {@code replica[1].pool.minimumIdle}. */
    private static final Pattern NODE = Pattern.compile("(master|replica\\[(\\d{1,9})\\])\\.(.+)");
    private static final String POOL = "pool.";
    private static final String DATA_SOURCE_PROPERTY = "dataSourceProperty";

    /** Settings of the data source as a whole, and of the token filter. */
    private static final Map<String, Property> GLOBAL = Map.ofEntries(
            global("name", "lagwise.name", "a short name without spaces, e.g. shop"),
            global("username", "lagwise.username", "a user name"),
            global("password", "lagwise.password", "the nodes' password, given once (here, or in each node's URL)"),
            global("localRegion", "lagwise.local-region", "the region this instance runs in, e.g. oslo"),
            global("maxReplicationLag", "lagwise.max-replication-lag", "a positive duration, e.g. 1s"),
            global("consistency", "lagwise.consistency", "eventual, read-your-writes or strong"),
            global("readFallback", "lagwise.read-fallback", "master or fail"),
            global("latencyWindow", "lagwise.latency-window", "a duration of 0 or more, e.g. 5ms"),
            global("connectTimeout", "lagwise.connect-timeout", "a positive duration, e.g. 3s"),
            global("replicaReadTimeout", "lagwise.replica-read-timeout", "a duration, e.g. 30s (0 turns it off)"),
            global("allowDegradedStart", "lagwise.allow-degraded-start", "true or false"),
            global("followPromotions", "lagwise.follow-promotions", "true or false"),
            global("statementCacheSize", "lagwise.statement-cache-size", "a number of 1 or more, e.g. 10000"),
            global("monitorInterval", "lagwise.monitor.interval", "a duration of at least 10ms, e.g. 250ms"),
            global("probeTimeout", "lagwise.monitor.probe-timeout", "a duration of at least 50ms, e.g. 1s"),
            global("heartbeat", "lagwise.monitor.heartbeat", "a duration of at least 100ms, e.g. 1s, or nothing to turn it off"),
            global("heartbeatTable", "lagwise.monitor.heartbeat-table", "a plain SQL table name, e.g. lagwise_heartbeat"),
            global("monitorCredentials.username", "lagwise.monitor.username", "the monitor account's user name (lagwise.monitor.password is set)"),
            global("monitorCredentials.password", "lagwise.monitor.password", "the monitor account's password (lagwise.monitor.username is set)"),
            global("readYourWrites", "lagwise.read-your-writes.mode", "gtid or pin"),
            global("readYourWritesMaxWait", "lagwise.read-your-writes.max-wait", "a duration from 0 to 10s, e.g. 50ms"),
            global("pinWindowMinimum", "lagwise.read-your-writes.pin-window-minimum", "a duration of 0 or more, e.g. 100ms"),
            global("readYourWritesMasterBudget", "lagwise.read-your-writes.master-budget", "a number of reads per write, 0 or more, e.g. 1"),
            // ConsistencyTokenFilter's constructor parameters
            global("cookieName", "lagwise.web.cookie-name", "a name such as lagwise-consistency"),
            global("headerName", "lagwise.web.header-name", "a name such as Lagwise-Consistency"),
            global("cookieMaxAge", "lagwise.web.cookie-max-age", "a positive duration of at least 1s, e.g. 5m"));

    /** A node's own settings: the property's last part, and what it takes. */
    private static final Map<String, Property> NODE_SETTINGS = Map.of(
            "url", new Property("url", "a plain MariaDB or MySQL URL, e.g. jdbc:mariadb://db-oslo-1:3306/app"),
            "region", new Property("region", "where the replica runs, a short label such as oslo (check for a trailing space)"),
            "username", new Property("username", "a user name"),
            "password", new Property("password", "a password, given once (here or in the URL)"),
            "backup", new Property("backup", "true or false"));

    /** A pool's settings: the property's last part, and what it takes. */
    private static final Map<String, Property> POOL_SETTINGS = Map.of(
            "maximumPoolSize", new Property("maximum-pool-size", "a number of 1 or more, e.g. 10"),
            "minimumIdle", new Property("minimum-idle", "a number from 0 to the pool's maximum-pool-size"),
            "connectionTimeout", new Property("connection-timeout", "a duration of at least 250ms, e.g. 3s"),
            "idleTimeout", new Property("idle-timeout", "0, or a duration of at least 10s and 1s shorter than max-lifetime, e.g. 10m"),
            "maxLifetime", new Property("max-lifetime", "0, or a duration of at least 30s, e.g. 30m"),
            "keepaliveTime", new Property("keepalive-time", "0, or a duration of at least 30s and shorter than max-lifetime, e.g. 2m"),
            "validationTimeout", new Property("validation-timeout", "a duration of at least 250ms, e.g. 2s"),
            DATA_SOURCE_PROPERTY, new Property("data-source-properties", "a driver property other than user or password, with a value"));

    private SettingProperties() {}

    private static Map.Entry<String, Property> global(String setting, String property, String expected) {
        return Map.entry(setting, new Property(property, expected));
    }

    /**
     * The property that gives {@code setting}.
     *
     * @param setting a setting's name as the exceptions give it, e.g. {@code replica[1].region}
     * @return the property, e.g. {@code lagwise.replicas[1].region}; null for a setting no property
     *     gives ({@code replicaSelector}, {@code master.backup}), which only code can set
     * @throws NullPointerException if {@code setting} is null
     */
    static Property of(String setting) {
        Objects.requireNonNull(setting, "setting");
        Property global = GLOBAL.get(setting);
        if (global != null) {
            return global;
        }
        String prefix = "lagwise";
        String rest = setting;
        Matcher node = NODE.matcher(setting);
        if (node.matches()) {
            prefix = node.group(2) == null ? "lagwise.master" : "lagwise.replicas[" + node.group(2) + "]";
            rest = node.group(3);
            Property own = NODE_SETTINGS.get(rest);
            if (own != null) {
                return rest.equals("backup") && node.group(2) == null ? null : under(prefix, own, "");
            }
        }
        if (!rest.startsWith(POOL)) {
            return null;
        }
        String name = rest.substring(POOL.length());
        if (name.startsWith(DATA_SOURCE_PROPERTY + "[") && name.endsWith("]")) {
            String driverProperty = name.substring(DATA_SOURCE_PROPERTY.length() + 1, name.length() - 1);
            return under(prefix + ".pool", POOL_SETTINGS.get(DATA_SOURCE_PROPERTY), "." + driverProperty);
        }
        Property pool = POOL_SETTINGS.get(name);
        return pool == null ? null : under(prefix + ".pool", pool, "");
    }

    private static Property under(String prefix, Property leaf, String suffix) {
        return new Property(prefix + "." + leaf.name() + suffix, leaf.expected());
    }

    /**
     * The failure for an invalid setting: its property, the message, what to write instead.
     *
     * @param setting the setting at fault, as the exception or the call site names it
     * @param problem what is wrong (the builder's message, which names no password)
     * @param cause the builder's exception
     * @return the failure naming the property, or {@code cause} itself when no property gives the
     *     setting (code set it, not configuration)
     */
    static RuntimeException invalid(String setting, String problem, RuntimeException cause) {
        Property property = of(setting);
        return property == null ? cause : new LagwiseConfigurationException(property.name(), problem, property.action(), cause);
    }

    /**
     * The failure for settings that conflict: the properties involved, joined by " or ", the
     * message, and what to do.
     *
     * @param e the builder's exception
     * @return the failure naming the properties, or {@code e} itself when no property gives any of
     *     the settings
     */
    static RuntimeException conflict(ConflictingSettingsException e) {
        List<String> properties = e.settings().stream().map(SettingProperties::of).filter(Objects::nonNull)
                .map(Property::name).toList();
        if (properties.isEmpty()) {
            return e;
        }
        String property = String.join(" or ", properties);
        return new LagwiseConfigurationException(property, e.getMessage(), conflictAction(e.settings(), property), e);
    }

    private static String conflictAction(List<String> settings, String property) {
        if (settings.contains("latencyWindow") && settings.contains("replicaSelector")) {
            return "Remove lagwise.latency-window: a custom ReplicaSelector decides nearness itself";
        }
        if (settings.stream().allMatch(s -> s.endsWith(".url"))) {
            return "Check " + property + ": give each server once, and never the master as a replica";
        }
        if (settings.stream().anyMatch(s -> s.equals("password") || s.endsWith(".password"))) {
            return "Check " + property + ": give each node's password once: in its URL, or by lagwise.password (or the node's own password property), not both";
        }
        return "Give only one of " + property;
    }
}
