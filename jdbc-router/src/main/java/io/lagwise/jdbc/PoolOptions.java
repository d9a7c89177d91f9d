package io.lagwise.jdbc;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the HikariCP pool Lagwise keeps for each node. Given for all nodes with
 * {@link LagwiseDataSource.Builder#pool}, and per node with {@link NodeOptions#pool}; a per-node
 * setting wins. Unset settings keep Lagwise's defaults, which differ from HikariCP's where routing
 * needs it (a connection timeout of 3 s, not 30 s, so a dead node is noticed quickly).
 *
 * <pre>{@code
 * .pool(p -> p.maximumPoolSize(20).minimumIdle(2))
 * .replica(url, "frankfurt", n -> n.pool(p -> p.maximumPoolSize(5)))
 * }</pre>
 *
 * <p>A bad value fails at once with an {@link InvalidSettingException} whose
 * {@link InvalidSettingException#setting() setting} names it with its place, such as
 * {@code pool.maximumPoolSize} or {@code replica[1].pool.maximumPoolSize}.
 */
public final class PoolOptions {

    Integer maximumPoolSize;
    Integer minimumIdle;
    Duration connectionTimeout;
    Duration idleTimeout;
    Duration maxLifetime;
    Duration keepaliveTime;
    Duration validationTimeout;
    final Map<String, String> dataSourceProperties = new LinkedHashMap<>();
    /** Where these options sit, for {@link InvalidSettingException#setting()}: {@code pool}, {@code replica[1].pool}. */
    private final String prefix;

    /** Every node's pool, as the builder's {@code pool()} tunes it. */
    PoolOptions() {
        this("pool");
    }

    PoolOptions(String prefix) {
        this.prefix = prefix;
    }

    /**
     * The most connections the pool holds; default 10.
     *
     * @throws InvalidSettingException if less than 1
     */
    public PoolOptions maximumPoolSize(int size) {
        if (size < 1) {
            throw new InvalidSettingException(setting("maximumPoolSize"), "maximumPoolSize must be at least 1, was " + size);
        }
        this.maximumPoolSize = size;
        return this;
    }

    /**
     * The fewest idle connections the pool keeps; default: the maximum pool size (a fixed pool).
     *
     * @throws InvalidSettingException if negative
     */
    public PoolOptions minimumIdle(int idle) {
        if (idle < 0) {
            throw new InvalidSettingException(setting("minimumIdle"), "minimumIdle cannot be negative, was " + idle);
        }
        this.minimumIdle = idle;
        return this;
    }

    /**
     * How long a borrow waits for a connection before it fails; default 3 s, at least 250 ms.
     *
     * @throws InvalidSettingException if shorter than 250 ms
     */
    public PoolOptions connectionTimeout(Duration timeout) {
        this.connectionTimeout = atLeast("connectionTimeout", timeout, Duration.ofMillis(250));
        return this;
    }

    /**
     * How long a connection may sit idle above {@code minimumIdle}; default HikariCP's 10 minutes;
     * zero never closes idle connections.
     *
     * @throws InvalidSettingException unless zero or at least 10 s (HikariCP would silently change it)
     */
    public PoolOptions idleTimeout(Duration timeout) {
        this.idleTimeout = zeroOrAtLeast("idleTimeout", timeout, Duration.ofSeconds(10));
        return this;
    }

    /**
     * The longest a connection lives; default HikariCP's 30 minutes. Keep it below the server's
     * {@code wait_timeout}; zero: no limit.
     *
     * @throws InvalidSettingException unless zero or at least 30 s (HikariCP would silently change it)
     */
    public PoolOptions maxLifetime(Duration lifetime) {
        this.maxLifetime = zeroOrAtLeast("maxLifetime", lifetime, Duration.ofSeconds(30));
        return this;
    }

    /**
     * How often idle connections are pinged; default HikariCP's 2 minutes; zero turns it off. Must
     * be shorter than {@code maxLifetime} (checked when the pool is built).
     *
     * @throws InvalidSettingException unless zero or at least 30 s (HikariCP would silently turn it off)
     */
    public PoolOptions keepaliveTime(Duration time) {
        this.keepaliveTime = zeroOrAtLeast("keepaliveTime", time, Duration.ofSeconds(30));
        return this;
    }

    /**
     * How long a connection check may take; default 2 s, at least 250 ms.
     *
     * @throws InvalidSettingException if shorter than 250 ms
     */
    public PoolOptions validationTimeout(Duration timeout) {
        this.validationTimeout = atLeast("validationTimeout", timeout, Duration.ofMillis(250));
        return this;
    }

    /**
     * A driver property for every connection of the pool, e.g. {@code ("useServerPrepStmts", "true")}.
     *
     * @throws InvalidSettingException if the name is blank, the value null, or the property is
     *     {@code user} or {@code password} (give credentials with {@code username()}/{@code password()})
     */
    public PoolOptions dataSourceProperty(String name, String value) {
        String setting = setting("dataSourceProperty" + (name == null ? "" : "[" + name + "]"));
        if (name == null || name.isBlank()) {
            throw new InvalidSettingException(setting, "dataSourceProperty name cannot be blank: '" + name + "'");
        }
        if (value == null) {
            throw new InvalidSettingException(setting, "dataSourceProperty '" + name + "' cannot be null");
        }
        if (name.equalsIgnoreCase("password") || name.equalsIgnoreCase("user")) {
            throw new InvalidSettingException(setting, "dataSourceProperty '" + name + "' is a credential: give it with " + name.toLowerCase(Locale.ROOT) + "() instead");
        }
        dataSourceProperties.put(name, value);
        return this;
    }

    /** This, with every setting {@code override} sets replaced by its value. */
    PoolOptions overriddenBy(PoolOptions override) {
        PoolOptions o = new PoolOptions(override.prefix);
        o.maximumPoolSize = override.maximumPoolSize != null ? override.maximumPoolSize : maximumPoolSize;
        o.minimumIdle = override.minimumIdle != null ? override.minimumIdle : minimumIdle;
        o.connectionTimeout = override.connectionTimeout != null ? override.connectionTimeout : connectionTimeout;
        o.idleTimeout = override.idleTimeout != null ? override.idleTimeout : idleTimeout;
        o.maxLifetime = override.maxLifetime != null ? override.maxLifetime : maxLifetime;
        o.keepaliveTime = override.keepaliveTime != null ? override.keepaliveTime : keepaliveTime;
        o.validationTimeout = override.validationTimeout != null ? override.validationTimeout : validationTimeout;
        o.dataSourceProperties.putAll(dataSourceProperties);
        o.dataSourceProperties.putAll(override.dataSourceProperties);
        return o;
    }

    /** The full name of one of these settings, e.g. {@code replica[1].pool.maxLifetime}. */
    String setting(String name) {
        return prefix + "." + name;
    }

    private Duration zeroOrAtLeast(String setting, Duration value, Duration min) {
        if (value != null && value.isZero()) {
            return value;
        }
        if (value != null && !value.isNegative() && value.compareTo(min) < 0) {
            throw new InvalidSettingException(setting(setting), setting + " must be 0 or at least " + min.toSeconds() + "s: " + value);
        }
        return atLeast(setting, value, Duration.ZERO);
    }

    private Duration atLeast(String setting, Duration value, Duration min) {
        if (value == null) {
            throw new InvalidSettingException(setting(setting), setting + " cannot be null");
        }
        if (value.isNegative()) {
            throw new InvalidSettingException(setting(setting), setting + " cannot be negative: " + value);
        }
        if (value.compareTo(min) < 0) {
            throw new InvalidSettingException(setting(setting), setting + " must be at least " + min.toMillis() + "ms: " + value);
        }
        return value;
    }
}
