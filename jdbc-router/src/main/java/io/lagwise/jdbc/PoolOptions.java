package io.lagwise.jdbc;

import java.time.Duration;
import java.util.LinkedHashMap;
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

    PoolOptions() {}

    /**
     * The most connections the pool holds; default 10.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public PoolOptions maximumPoolSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("maximumPoolSize must be at least 1, was " + size);
        }
        this.maximumPoolSize = size;
        return this;
    }

    /**
     * The fewest idle connections the pool keeps; default: the maximum pool size (a fixed pool).
     *
     * @throws IllegalArgumentException if negative
     */
    public PoolOptions minimumIdle(int idle) {
        if (idle < 0) {
            throw new IllegalArgumentException("minimumIdle cannot be negative, was " + idle);
        }
        this.minimumIdle = idle;
        return this;
    }

    /**
     * How long a borrow waits for a connection before it fails; default 3 s, at least 250 ms.
     *
     * @throws IllegalArgumentException if shorter than 250 ms
     */
    public PoolOptions connectionTimeout(Duration timeout) {
        this.connectionTimeout = atLeast("connectionTimeout", timeout, Duration.ofMillis(250));
        return this;
    }

    /**
     * How long a connection may sit idle above {@code minimumIdle}; default HikariCP's 10 minutes;
     * zero never closes idle connections.
     *
     * @throws IllegalArgumentException unless zero or at least 10 s (HikariCP would silently change it)
     */
    public PoolOptions idleTimeout(Duration timeout) {
        this.idleTimeout = zeroOrAtLeast("idleTimeout", timeout, Duration.ofSeconds(10));
        return this;
    }

    /**
     * The longest a connection lives; default HikariCP's 30 minutes. Keep it below the server's
     * {@code wait_timeout}; zero: no limit.
     *
     * @throws IllegalArgumentException unless zero or at least 30 s (HikariCP would silently change it)
     */
    public PoolOptions maxLifetime(Duration lifetime) {
        this.maxLifetime = zeroOrAtLeast("maxLifetime", lifetime, Duration.ofSeconds(30));
        return this;
    }

    /**
     * How often idle connections are pinged; default HikariCP's 2 minutes; zero turns it off. Must
     * be shorter than {@code maxLifetime} (checked when the pool is built).
     *
     * @throws IllegalArgumentException unless zero or at least 30 s (HikariCP would silently turn it off)
     */
    public PoolOptions keepaliveTime(Duration time) {
        this.keepaliveTime = zeroOrAtLeast("keepaliveTime", time, Duration.ofSeconds(30));
        return this;
    }

    /**
     * How long a connection check may take; default 2 s, at least 250 ms.
     *
     * @throws IllegalArgumentException if shorter than 250 ms
     */
    public PoolOptions validationTimeout(Duration timeout) {
        this.validationTimeout = atLeast("validationTimeout", timeout, Duration.ofMillis(250));
        return this;
    }

    /**
     * A driver property for every connection of the pool, e.g. {@code ("useServerPrepStmts", "true")}.
     *
     * @throws IllegalArgumentException if the name is blank, the value null, or the property is
     *     {@code user} or {@code password} (give credentials with {@code username()}/{@code password()})
     */
    public PoolOptions dataSourceProperty(String name, String value) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("dataSourceProperty name cannot be blank: '" + name + "'");
        }
        if (value == null) {
            throw new IllegalArgumentException("dataSourceProperty '" + name + "' cannot be null");
        }
        if (name.equalsIgnoreCase("password") || name.equalsIgnoreCase("user")) {
            throw new IllegalArgumentException("dataSourceProperty '" + name + "' is a credential: give it with "
                    + name.toLowerCase() + "() instead");
        }
        dataSourceProperties.put(name, value);
        return this;
    }

    /** This, with every setting {@code override} sets replaced by its value. */
    PoolOptions overriddenBy(PoolOptions override) {
        PoolOptions o = new PoolOptions();
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

    private static Duration zeroOrAtLeast(String setting, Duration value, Duration min) {
        if (value != null && value.isZero()) {
            return value;
        }
        if (value != null && !value.isNegative() && value.compareTo(min) < 0) {
            throw new IllegalArgumentException(setting + " must be 0 or at least " + min.toSeconds() + "s: " + value);
        }
        return atLeast(setting, value, Duration.ZERO);
    }

    private static Duration atLeast(String setting, Duration value, Duration min) {
        if (value == null) {
            throw new IllegalArgumentException(setting + " cannot be null");
        }
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(value.isNegative() ? setting + " cannot be negative: " + value
                    : setting + " must be at least " + min.toMillis() + "ms: " + value);
        }
        return value;
    }
}
