package io.lagwise.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * One server of a {@link ReplicationTopology}: its address, its credentials, and the controls a
 * failure test needs (stop replication, kill, freeze, restart, change the delay).
 *
 * <p>Two addresses matter. {@link #port()} is where the application connects: it goes through a
 * client delay proxy when the node was given one (a "far" replica). {@link #directPort()} is the
 * server itself, for observers that must not pay that delay.
 */
public interface TopologyNode {

    /** A node's role in the topology. */
    enum Role {
        /** Takes the writes; every replica replicates from it. */
        MASTER,
        /** Replicates from the master. */
        REPLICA
    }

    /** A node's process state as the topology controls it. */
    enum State {
        /** Running and answering. */
        RUNNING,
        /** Stopped with SIGSTOP (or a paused container): accepts TCP connections, never answers. */
        FROZEN,
        /** Killed with SIGKILL: connections are refused. */
        KILLED
    }

    /** A unique name: {@code master}, or the replica's name (by default its region). */
    String name();

    /** {@link Role#MASTER} or {@link Role#REPLICA}. */
    Role role();

    /** The region label, e.g. {@code oslo}. */
    String region();

    /** The server's {@code @@server_id}: 1 for the master, 2, 3, … for replicas. */
    int serverId();

    /** The host the application connects to (a loopback address for local processes). */
    String host();

    /** The port the application connects to, through the client delay proxy if there is one. */
    int port();

    /** The server's own port, bypassing any client delay proxy. */
    int directPort();

    /** A JDBC URL for the application's address, for the preferred driver ({@link JdbcDriver#preferred()}). */
    default String jdbcUrl() {
        return jdbcUrl(JdbcDriver.preferred());
    }

    /** A JDBC URL for the application's address, for the given driver. It carries no credentials. */
    String jdbcUrl(JdbcDriver driver);

    /**
     * Opens a connection as the application user, through the application's address.
     *
     * @throws SQLException if the server does not answer
     */
    Connection connect() throws SQLException;

    /**
     * Opens a connection as the application user straight to the server, bypassing any delay proxy.
     *
     * @throws SQLException if the server does not answer
     */
    Connection connectDirect() throws SQLException;

    /**
     * Opens an administrative connection (all privileges) straight to the server. Use it for what
     * the application user may not do; it is short-timed, so a frozen server fails it in seconds.
     *
     * @throws SQLException if the server does not answer
     */
    Connection connectAdmin() throws SQLException;

    /**
     * The replica's own view of its replication.
     *
     * @throws IllegalStateException on the master
     * @throws TopologyException if the server does not answer
     */
    ReplicaStatus replicaStatus();

    /**
     * The server's GTID position: on the master what it has written ({@code @@gtid_binlog_pos}),
     * on a replica what it has applied ({@code @@gtid_slave_pos}); on MySQL {@code @@gtid_executed}.
     * Empty on MySQL servers built with {@link TopologyBuilder#gtids(boolean) gtids(false)}: they write
     * no GTIDs (and the server is not asked).
     *
     * @throws TopologyException if the server does not answer
     */
    String gtidPosition();

    /** Stops the replica's SQL (applier) thread: events still arrive, none is applied. */
    void stopSqlThread();

    /** Starts the replica's SQL (applier) thread again. */
    void startSqlThread();

    /** Stops the replica's IO (receiver) thread: no events arrive. */
    void stopIoThread();

    /** Starts the replica's IO (receiver) thread again. */
    void startIoThread();

    /** Kills the server process (SIGKILL, or {@code docker kill}); {@link #restart()} brings it back. */
    void kill();

    /** Freezes the server (SIGSTOP, or {@code docker pause}): TCP connects succeed, nothing answers. */
    void freeze();

    /** Thaws a frozen server (SIGCONT, or {@code docker unpause}). */
    void thaw();

    /**
     * Starts a killed server again on the same data and port (a running one is killed first) and
     * waits until it answers. A replica resumes replication by itself.
     *
     * @throws TopologyException if it does not come back
     */
    void restart();

    /** The process state as last set by the controls. */
    State state();

    /** The one-way delay between this replica and its master (zero on the master). */
    Duration replicationDelay();

    /**
     * Changes the one-way delay between this replica and its master, at once.
     *
     * @throws IllegalStateException on the master
     * @throws IllegalArgumentException if negative
     */
    void replicationDelay(Duration delay);

    /** Whether the application reaches this node through a client delay proxy. */
    boolean hasClientProxy();

    /** The one-way delay of the client delay proxy (zero without one). */
    Duration clientDelay();

    /**
     * Changes the one-way delay between the application and this node, at once.
     *
     * @throws IllegalStateException if the node was built without a client proxy
     * @throws IllegalArgumentException if negative
     */
    void clientDelay(Duration delay);

    /** The server's process id, when it runs as a local process. */
    OptionalLong pid();

    /** The server's resident memory in bytes, when it runs as a local process and that is readable; else 0. */
    long residentMemoryBytes();
}
