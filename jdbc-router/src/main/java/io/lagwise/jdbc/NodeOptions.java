package io.lagwise.jdbc;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of one node, given with {@code master(url, n -> …)} or {@code replica(url, region, n -> …)}.
 *
 * <pre>{@code
 * .replica("jdbc:mysql://db-fra-1:3306/app", "frankfurt", n -> n.backup(true).username("reader").password(pw))
 * }</pre>
 */
public final class NodeOptions {

    String username;
    String password;
    boolean backup;
    final PoolOptions pool;
    /** The node, for {@link InvalidSettingException#setting()}: {@code master} or {@code replica[i]}. */
    private final String node;

    NodeOptions(String node) {
        this.node = node;
        this.pool = new PoolOptions(node + ".pool");
    }

    /**
     * The user for this node, instead of the data source's {@code username()}.
     *
     * @throws InvalidSettingException if blank; its setting is {@code master.username} or
     *     {@code replica[i].username}
     */
    public NodeOptions username(String username) {
        if (username == null || username.isBlank()) {
            throw new InvalidSettingException(node + ".username", "node username cannot be blank: '" + username + "'");
        }
        this.username = username;
        return this;
    }

    /**
     * The password for this node, instead of the data source's {@code password()}.
     *
     * @throws InvalidSettingException if null; its setting is {@code master.password} or
     *     {@code replica[i].password}
     */
    public NodeOptions password(String password) {
        if (password == null) {
            throw new InvalidSettingException(node + ".password", "node password cannot be null");
        }
        this.password = password;
        return this;
    }

    /**
     * Makes a replica a backup: it takes reads only when no non-backup replica can. Default false.
     */
    public NodeOptions backup(boolean backup) {
        this.backup = backup;
        return this;
    }

    /** Tunes this node's pool; its settings win over the data source's {@code pool()}. */
    public NodeOptions pool(Consumer<PoolOptions> settings) {
        Objects.requireNonNull(settings, "settings").accept(pool);
        return this;
    }
}
