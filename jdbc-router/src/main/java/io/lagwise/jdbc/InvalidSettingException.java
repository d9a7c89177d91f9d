package io.lagwise.jdbc;

import java.util.Objects;

/**
 * A setting has a value Lagwise cannot use. Thrown by {@link LagwiseDataSource.Builder}'s setters,
 * {@link NodeOptions}, {@link PoolOptions} and {@code build()}; the message names the setting and
 * the value, and {@link #setting()} names the setting for code, so that a framework can point at
 * its own property without reading the message.
 *
 * <p>Setting names follow the builder's calls:
 * <ul>
 *   <li>a builder setter's name: {@code name}, {@code username}, {@code maxReplicationLag},
 *       {@code heartbeatTable}…; {@code monitorCredentials.username} and
 *       {@code monitorCredentials.password} for the two arguments of {@code monitorCredentials};</li>
 *   <li>a node's, under {@code master} or {@code replica[i]} (i counts from 0 in the order the
 *       replicas were given): {@code master.url}, {@code replica[1].url},
 *       {@code replica[1].region}, {@code master.backup}, {@code replica[0].username},
 *       {@code replica[0].password};</li>
 *   <li>a pool's, under {@code pool} for every node's or under a node's {@code pool}:
 *       {@code pool.maximumPoolSize}, {@code replica[0].pool.minimumIdle},
 *       {@code master.pool.dataSourceProperty[useSsl]}.</li>
 * </ul>
 * A value that is out of range only beside another setting (a pool's {@code minimumIdle} above its
 * {@code maximumPoolSize}) is reported on the setting the message starts with; the message names
 * both.
 *
 * <p>A subclass of {@link IllegalArgumentException}, which the builder has always thrown for a bad
 * value: code catching that keeps working.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;

    /**
     * Creates the exception.
     *
     * @param setting the setting's name, such as {@code replica[1].url}
     * @param message what is wrong, naming the setting and the value (never a password's)
     * @throws NullPointerException if {@code setting} is null
     */
    public InvalidSettingException(String setting, String message) {
        this(setting, message, null);
    }

    /**
     * Creates the exception with the cause that found the value unusable.
     *
     * @param setting the setting's name, such as {@code replica[1].url}
     * @param message what is wrong, naming the setting and the value (never a password's)
     * @param cause the exception that found the problem, or null
     * @throws NullPointerException if {@code setting} is null
     */
    public InvalidSettingException(String setting, String message, Throwable cause) {
        super(message, cause);
        this.setting = Objects.requireNonNull(setting, "setting");
    }

    /**
     * The setting whose value is unusable, named as the builder's calls name it.
     *
     * @return a name such as {@code maxReplicationLag}, {@code replica[1].region} or
     *     {@code replica[0].pool.maximumPoolSize}
     */
    public String setting() {
        return setting;
    }
}
