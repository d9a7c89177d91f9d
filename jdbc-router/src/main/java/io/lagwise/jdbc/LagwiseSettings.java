package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link LagwiseDataSource.Builder} from flat properties named as the Spring Boot properties are
 * ({@code lagwise.master.url}, {@code lagwise.replicas[0].region}, {@code lagwise.pool.maximum-pool-size},
 * {@code lagwise.monitor.interval}, {@code lagwise.read-your-writes.max-wait}, …): what a properties
 * file behind a {@code jdbc:lagwise:} URL holds. Values take {@code ${NAME}} placeholders, resolved
 * from a system property of that name, else the environment (so that no password has to sit in a
 * file); durations are written as Spring
 * writes them ({@code 250ms}, {@code 1s}, {@code 2m}, or ISO-8601 {@code PT1S}); names may be
 * kebab-case or camelCase. {@code lagwise.web.*} (the Spring web filter's) are accepted and ignored.
 *
 * <p>Every mistake is a {@link LagwiseSettingsException} naming where the properties came from, the
 * property and its value (a password's value masked); the builder's own checks are reported the same
 * way, naming the property that gave the setting.
 */
public final class LagwiseSettings {

    private static final String PREFIX = "lagwise.";
    private static final Pattern REPLICA = Pattern.compile("replicas\\[(\\d{1,4})]\\.(.+)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ns|us|ms|s|m|h|d)?");

    private LagwiseSettings() {}

    /**
     * A builder with every setting of {@code properties}; {@code ${NAME}} placeholders are resolved
     * from the environment.
     *
     * @param properties the properties, by name
     * @param origin where they came from, for messages: a file name, {@code classpath:lagwise.properties}
     * @throws LagwiseSettingsException if a property is unknown, malformed, or refused by the builder
     */
    public static LagwiseDataSource.Builder builder(Map<String, String> properties, String origin) {
        return builder(properties, origin, LagwiseSettings::environment);
    }

    /** A placeholder's value: a system property of that name, else an environment variable; null if neither. */
    static String environment(String name) {
        String v = System.getProperty(name);
        return v != null ? v : System.getenv(name);
    }

    /** The settings of the data source as a whole, by property name (without the node and pool ones). */
    static final List<String> GLOBAL_NAMES = List.of("name", "username", "password", "local-region", "max-replication-lag",
            "consistency", "read-fallback", "latency-window", "connect-timeout", "replica-read-timeout",
            "allow-degraded-start", "follow-promotions", "statement-cache-size", "monitor.interval", "monitor.probe-timeout",
            "monitor.heartbeat", "monitor.heartbeat-table", "monitor.username", "monitor.password", "read-your-writes.mode",
            "read-your-writes.max-wait", "read-your-writes.pin-window-minimum", "read-your-writes.master-budget");

    /**
     * As {@link #builder(Map, String)}, resolving placeholders with {@code environment} (a name to
     * its value, or null when it has none).
     */
    public static LagwiseDataSource.Builder builder(Map<String, String> properties, String origin,
            UnaryOperator<String> environment) {
        return builder(properties, origin, environment, null, null);
    }

    /**
     * As {@link #builder(Map, String, UnaryOperator)}, with a user and password for every node that
     * sets none of its own (in its settings or in its URL), taken as given (no placeholders): what a
     * tool hands a driver.
     */
    static LagwiseDataSource.Builder builder(Map<String, String> properties, String origin,
            UnaryOperator<String> environment, String user, String password) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(environment, "environment");
        Parse p = new Parse(origin == null ? "settings" : origin, environment);
        p.user = user == null || user.isEmpty() ? null : user;
        p.password = password == null || password.isEmpty() ? null : password;
        Map<String, String> global = new LinkedHashMap<>();
        Map<Integer, Map<String, String>> replicas = new TreeMap<>();
        Map<String, String> master = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            String name = canonical(e.getKey());
            if (!name.startsWith(PREFIX)) {
                throw p.fail(e.getKey(), null, "is not a Lagwise property (every name starts with lagwise.)");
            }
            if (e.getValue() == null || e.getValue().isBlank()) {
                continue; // empty: unset, as Spring binds it
            }
            String rest = name.substring(PREFIX.length());
            Matcher r = REPLICA.matcher(rest);
            if (r.matches()) {
                replicas.computeIfAbsent(Integer.parseInt(r.group(1)), i -> new LinkedHashMap<>()).put(r.group(2), e.getValue());
            } else if (rest.startsWith("master.")) {
                master.put(rest.substring("master.".length()), e.getValue());
            } else if (!rest.startsWith("web.")) {
                global.put(rest, e.getValue());
            }
        }
        LagwiseDataSource.Builder b = LagwiseDataSource.builder();
        String masterUrl = master.remove("url");
        if (masterUrl == null) {
            throw p.fail("lagwise.master.url", null, "is missing: every Lagwise data source needs its master's URL");
        }
        Map<String, String> masterRest = master;
        p.call("lagwise.master.url", masterUrl, v -> b.master(v, n -> node(p, "lagwise.master.", n, masterRest, v)));
        int expected = 0;
        for (Map.Entry<Integer, Map<String, String>> e : replicas.entrySet()) {
            String prefix = "lagwise.replicas[" + e.getKey() + "].";
            if (e.getKey() != expected) {
                throw p.fail(prefix + "url", null, "replicas are numbered from 0 without gaps; lagwise.replicas[" + expected + "] is missing");
            }
            expected++;
            Map<String, String> r = new LinkedHashMap<>(e.getValue());
            String url = r.remove("url");
            String region = r.remove("region");
            if (url == null) {
                throw p.fail(prefix + "url", null, "is missing");
            }
            if (region == null) {
                throw p.fail(prefix + "region", null, "is missing: every replica needs a region, e.g. oslo");
            }
            String backup = r.remove("backup");
            String resolvedRegion = p.value(prefix + "region", region);
            p.call(prefix + "url", url, v -> b.replica(v, resolvedRegion, n -> {
                if (backup != null) {
                    n.backup(p.bool(prefix + "backup", backup));
                }
                node(p, prefix, n, r, v);
            }));
        }
        global(p, b, global);
        return b;
    }

    private static void node(Parse p, String prefix, NodeOptions n, Map<String, String> settings, String url) {
        String query = url.indexOf('?') >= 0 ? url.substring(url.indexOf('?') + 1).toLowerCase(Locale.ROOT) : "";
        if (p.user != null && !settings.containsKey("username") && !query.matches("(.*&)?user=.*")) {
            n.username(p.user);
        }
        if (p.password != null && !settings.containsKey("password") && !query.matches("(.*&)?password=.*")) {
            n.password(p.password);
        }
        Map<String, String> pool = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            String property = prefix + key;
            switch (key) {
                case "username" -> p.call(property, e.getValue(), n::username);
                case "password" -> p.call(property, e.getValue(), n::password);
                default -> {
                    if (!key.startsWith("pool.")) {
                        throw p.fail(property, null, "is not a node setting (url, region, username, password, backup, pool.*)");
                    }
                    pool.put(key.substring("pool.".length()), e.getValue());
                }
            }
        }
        if (!pool.isEmpty()) {
            n.pool(o -> pool(p, prefix + "pool.", o, pool));
        }
    }

    private static void pool(Parse p, String prefix, PoolOptions o, Map<String, String> settings) {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            String property = prefix + key;
            String v = e.getValue();
            if (key.startsWith("data-source-properties.")) {
                String driverProperty = key.substring("data-source-properties.".length());
                p.call(property, v, s -> o.dataSourceProperty(driverProperty, s));
                continue;
            }
            switch (key) {
                case "maximum-pool-size" -> p.call(property, v, s -> o.maximumPoolSize(p.integer(property, s)));
                case "minimum-idle" -> p.call(property, v, s -> o.minimumIdle(p.integer(property, s)));
                case "connection-timeout" -> p.call(property, v, s -> o.connectionTimeout(p.duration(property, s)));
                case "idle-timeout" -> p.call(property, v, s -> o.idleTimeout(p.duration(property, s)));
                case "max-lifetime" -> p.call(property, v, s -> o.maxLifetime(p.duration(property, s)));
                case "keepalive-time" -> p.call(property, v, s -> o.keepaliveTime(p.duration(property, s)));
                case "validation-timeout" -> p.call(property, v, s -> o.validationTimeout(p.duration(property, s)));
                default -> throw p.fail(property, null, "is not a pool setting (maximum-pool-size, minimum-idle,"
                        + " connection-timeout, idle-timeout, max-lifetime, keepalive-time, validation-timeout,"
                        + " data-source-properties.<name>)");
            }
        }
    }

    private static void global(Parse p, LagwiseDataSource.Builder b, Map<String, String> settings) {
        Map<String, String> pool = new LinkedHashMap<>();
        String monitorUser = null;
        String monitorPassword = null;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            String property = PREFIX + key;
            String v = e.getValue();
            if (key.startsWith("pool.")) {
                pool.put(key.substring("pool.".length()), v);
                continue;
            }
            switch (key) {
                case "name" -> p.call(property, v, b::name);
                case "username" -> p.call(property, v, b::username);
                case "password" -> p.call(property, v, b::password);
                case "local-region" -> p.call(property, v, b::localRegion);
                case "max-replication-lag" -> p.call(property, v, s -> b.maxReplicationLag(p.duration(property, s)));
                case "consistency" -> p.call(property, v, s -> b.consistency(p.choice(property, s, Consistency.class)));
                case "read-fallback" -> p.call(property, v, s -> b.readFallback(p.choice(property, s, ReadFallback.class)));
                case "latency-window" -> p.call(property, v, s -> b.latencyWindow(p.duration(property, s)));
                case "connect-timeout" -> p.call(property, v, s -> b.connectTimeout(p.duration(property, s)));
                case "replica-read-timeout" -> p.call(property, v, s -> b.replicaReadTimeout(p.duration(property, s)));
                case "allow-degraded-start" -> p.call(property, v, s -> b.allowDegradedStart(p.bool(property, s)));
                case "follow-promotions" -> p.call(property, v, s -> b.followPromotions(p.bool(property, s)));
                case "statement-cache-size" -> p.call(property, v, s -> b.statementCacheSize(p.integer(property, s)));
                case "monitor.interval" -> p.call(property, v, s -> b.monitorInterval(p.duration(property, s)));
                case "monitor.probe-timeout" -> p.call(property, v, s -> b.probeTimeout(p.duration(property, s)));
                case "monitor.heartbeat" -> p.call(property, v, s -> b.heartbeat(s.isBlank() ? null : p.duration(property, s)));
                case "monitor.heartbeat-table" -> p.call(property, v, b::heartbeatTable);
                case "monitor.username" -> monitorUser = v;
                case "monitor.password" -> monitorPassword = v;
                case "read-your-writes.mode" -> p.call(property, v, s -> b.readYourWrites(p.choice(property, s, ReadYourWritesMode.class)));
                case "read-your-writes.max-wait" -> p.call(property, v, s -> b.readYourWritesMaxWait(p.duration(property, s)));
                case "read-your-writes.pin-window-minimum" -> p.call(property, v, s -> b.pinWindowMinimum(p.duration(property, s)));
                case "read-your-writes.master-budget" -> p.call(property, v, s -> b.readYourWritesMasterBudget(p.decimal(property, s)));
                default -> throw p.fail(property, null, "is not a Lagwise setting" + p.suggestion(key));
            }
        }
        if (monitorUser != null || monitorPassword != null) {
            if (monitorUser == null) {
                throw p.fail("lagwise.monitor.username", null, "is missing while lagwise.monitor.password is set: give both, or neither");
            }
            String user = p.value("lagwise.monitor.username", monitorUser);
            String password = monitorPassword == null ? null : p.value("lagwise.monitor.password", monitorPassword);
            p.call("lagwise.monitor.username", monitorUser, s -> b.monitorCredentials(user, password));
        }
        if (!pool.isEmpty()) {
            b.pool(o -> pool(p, "lagwise.pool.", o, pool));
        }
    }

    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("monitorInterval", "monitor.interval"), Map.entry("probeTimeout", "monitor.probe-timeout"),
            Map.entry("heartbeat", "monitor.heartbeat"), Map.entry("heartbeatTable", "monitor.heartbeat-table"),
            Map.entry("monitorCredentials.username", "monitor.username"), Map.entry("monitorCredentials.password", "monitor.password"),
            Map.entry("readYourWrites", "read-your-writes.mode"), Map.entry("readYourWritesMaxWait", "read-your-writes.max-wait"),
            Map.entry("pinWindowMinimum", "read-your-writes.pin-window-minimum"),
            Map.entry("readYourWritesMasterBudget", "read-your-writes.master-budget"));
    private static final Pattern NODE_SETTING = Pattern.compile("(master|replica\\[(\\d+)])\\.(.+)");

    /**
     * The property that gives a builder setting, as {@link InvalidSettingException#setting()} and
     * {@link ConflictingSettingsException#settings()} name them: {@code replica[1].pool.minimumIdle} →
     * {@code lagwise.replicas[1].pool.minimum-idle}, {@code probeTimeout} → {@code lagwise.monitor.probe-timeout}.
     */
    public static String property(String setting) {
        String irregular = IRREGULAR.get(setting);
        if (irregular != null) {
            return PREFIX + irregular;
        }
        String prefix = PREFIX;
        String rest = setting;
        Matcher node = NODE_SETTING.matcher(setting);
        if (node.matches()) {
            prefix = node.group(2) == null ? PREFIX + "master." : PREFIX + "replicas[" + node.group(2) + "].";
            rest = node.group(3);
        }
        Matcher dsp = Pattern.compile("pool\\.dataSourceProperty\\[(.*)]").matcher(rest);
        if (dsp.matches()) {
            return prefix + "pool.data-source-properties." + dsp.group(1);
        }
        return prefix + canonical(rest);
    }

    /**
     * {@code lagwise.localRegion} → {@code lagwise.local-region}: Spring's canonical form. A driver
     * property's own name ({@code …data-source-properties.cachePrepStmts}) is kept as written, as
     * Spring keeps map keys.
     */
    static String canonical(String name) {
        String trimmed = name.trim();
        for (String map : new String[] {"data-source-properties.", "dataSourceProperties.", "data_source_properties."}) {
            int at = trimmed.indexOf(map);
            if (at >= 0) {
                return kebab(trimmed.substring(0, at)) + "data-source-properties." + trimmed.substring(at + map.length());
            }
        }
        return kebab(trimmed);
    }

    private static String kebab(String name) {
        StringBuilder s = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                s.append('-').append(Character.toLowerCase(c));
            } else {
                s.append(c == '_' ? '-' : c);
            }
        }
        return s.toString().trim();
    }

    /** The parse of one set of properties: where they came from, and how placeholders resolve. */
    private static final class Parse {
        final String origin;
        final UnaryOperator<String> environment;
        /** The tool's user and password, for nodes without their own; never parsed, never shown. */
        String user;
        String password;

        Parse(String origin, UnaryOperator<String> environment) {
            this.origin = origin;
            this.environment = environment;
        }

        /** Resolves a value's placeholders and hands it to a builder call; any failure names the property. */
        void call(String property, String raw, Consumer<String> setter) {
            String value = value(property, raw);
            try {
                setter.accept(value);
            } catch (LagwiseSettingsException e) {
                throw e;
            } catch (IllegalArgumentException | IllegalStateException | ArithmeticException
                    | NullPointerException e) {
                throw fail(property, raw, e.getMessage() == null ? "is missing" : e.getMessage(), e);
            }
        }

        String value(String property, String raw) {
            return raw == null ? null : resolve(property, raw, raw, 0).strip();
        }

        /** Resolves {@code ${NAME}} and {@code ${NAME:default}}, defaults nested as Spring nests them. */
        private String resolve(String property, String raw, String text, int depth) {
            if (depth > 10) {
                throw fail(property, raw, "nests placeholders too deep");
            }
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < text.length()) {
                int start = text.indexOf("${", i);
                if (start < 0) {
                    out.append(text, i, text.length());
                    break;
                }
                out.append(text, i, start);
                int level = 0;
                int end = -1;
                int colon = -1;
                for (int j = start + 2; j < text.length(); j++) {
                    if (text.startsWith("${", j)) {
                        level++;
                        j++;
                    } else if (text.charAt(j) == '}') {
                        if (level == 0) {
                            end = j;
                            break;
                        }
                        level--;
                    } else if (text.charAt(j) == ':' && level == 0 && colon < 0) {
                        colon = j;
                    }
                }
                if (end < 0) {
                    out.append(text, start, text.length()); // not a placeholder: kept as written
                    break;
                }
                String name = text.substring(start + 2, colon >= 0 ? colon : end).strip();
                String resolved = lookup(name);
                if (resolved == null && colon >= 0) {
                    resolved = resolve(property, raw, text.substring(colon + 1, end), depth + 1);
                }
                if (resolved == null) {
                    throw fail(property, raw, "names " + name + ", which is neither a system property nor an environment"
                            + " variable here (write ${" + name + ":default} for a default)");
                }
                out.append(resolved);
                i = end + 1;
            }
            return out.toString();
        }

        /** A name as given, else in the environment's form: {@code db.password} → {@code DB_PASSWORD}. */
        private String lookup(String name) {
            String v = environment.apply(name);
            if (v == null) {
                v = environment.apply(name.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT));
            }
            return v;
        }

        Duration duration(String property, String s) {
            String v = s.strip();
            if (v.startsWith("+")) {
                v = v.substring(1);
            }
            try {
                if (v.startsWith("P") || v.startsWith("p") || v.startsWith("-P")) {
                    return Duration.parse(v);
                }
            } catch (DateTimeParseException e) {
                throw fail(property, s, "is not a duration: write 250ms, 1s, 2m or an ISO-8601 duration such as PT1S");
            }
            Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw fail(property, s, "is not a duration: write 250ms, 1s, 2m or an ISO-8601 duration such as PT1S");
            }
            String unit = m.group(2) == null ? "ms" : m.group(2);
            try {
                long n = Long.parseLong(m.group(1));
                return switch (unit) {
                    case "ns" -> Duration.ofNanos(n);
                    case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } catch (ArithmeticException | NumberFormatException e) {
                throw fail(property, s, "is too long a duration");
            }
        }

        int integer(String property, String s) {
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw fail(property, s, "is not a whole number");
            }
        }

        double decimal(String property, String s) {
            try {
                return Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                throw fail(property, s, "is not a number");
            }
        }

        boolean bool(String property, String s) {
            String v = s.strip().toLowerCase(Locale.ROOT);
            switch (v) {
                case "true", "yes", "on", "1" -> {
                    return true;
                }
                case "false", "no", "off", "0" -> {
                    return false;
                }
                default -> throw fail(property, s, "is not true or false");
            }
        }

        <E extends Enum<E>> E choice(String property, String s, Class<E> type) {
            String v = s.strip();
            if (!v.equals(v.toUpperCase(Locale.ROOT))) {
                v = kebab(v); // readYourWrites, as Spring binds it
            }
            v = v.replace('-', '_').toUpperCase(Locale.ROOT);
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(v)) {
                    return e;
                }
                names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw fail(property, s, "is not one of " + String.join(", ", names));
        }

        String suggestion(String key) {
            List<String> known = GLOBAL_NAMES;
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String k : known) {
                int d = distance(key, k);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            return bestDistance <= Math.max(3, key.length() / 3) ? "; did you mean lagwise." + best + "?" : "";
        }

        LagwiseSettingsException fail(String property, String value, String reason) {
            return fail(property, value, reason, null);
        }

        LagwiseSettingsException fail(String property, String value, String reason, Throwable cause) {
            return new LagwiseSettingsException(origin, property, value, reason, cause);
        }
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
