package io.lagwise.testkit;

import java.time.Duration;
import java.util.List;

/**
 * A master and its replicas, joined by real asynchronous GTID replication (or, for MySQL servers
 * built with {@link TopologyBuilder#gtids(boolean) gtids(false)}, replication by binary log file and
 * position), for tests: started from nothing, with lag injected on the wire, and with the controls
 * that failure tests need.
 *
 * <pre>{@code
 * try (ReplicationTopology topology = ReplicationTopology.builder()
 *         .replica("oslo")
 *         .replica("frankfurt", Duration.ofMillis(20))   // farther from the application
 *         .replicationDelay(Duration.ofMillis(40))        // replicas trail by ~40 ms
 *         .start()) {
 *     String url = topology.master().jdbcUrl();
 *     ...
 * }
 * }</pre>
 *
 * <p>Every node has the application database {@link #database()} and the application user
 * {@link #username()} / {@link #password()} (created on the master, replicated). The user has an
 * explicit privilege list: it cannot write to a {@code read_only} replica, just like a production
 * application user.
 *
 * <p>{@link #close()} kills every server and deletes every file the topology made.
 */
public interface ReplicationTopology extends AutoCloseable {

    /** A builder for a topology of local {@code mariadbd} processes (or local MySQL processes, or containers, see {@link TopologyBuilder#backend}). */
    static TopologyBuilder builder() {
        return new TopologyBuilder();
    }

    /** The master. */
    TopologyNode master();

    /** The replicas, in the order they were declared. */
    List<TopologyNode> replicas();

    /** The master, then the replicas. */
    List<TopologyNode> nodes();

    /**
     * The node with the given name ({@code master}, or a replica's name).
     *
     * @throws IllegalArgumentException if there is none; the message lists the names there are
     */
    TopologyNode node(String name);

    /** The application database, present on every node. */
    String database();

    /** The application user. */
    String username();

    /** The application user's password. */
    String password();

    /** What the servers are, e.g. {@code MariaDB 10.11.19 (mariadbd on PATH: /usr/sbin/mariadbd)}. */
    String serverDescription();

    /** How long {@link TopologyBuilder#start()} took. */
    Duration startupTime();

    /**
     * Promotes a replica as Orchestrator and MHA do: on it {@code STOP SLAVE; RESET SLAVE ALL; SET
     * GLOBAL read_only = OFF} ({@code STOP REPLICA; RESET REPLICA ALL}, and {@code super_read_only}
     * off too, on MySQL); then every other running replica is re-pointed at it by GTID, keeping its
     * replication delay. It is then {@link #master()}; the old master is left as it is (killed,
     * frozen or running, writable or not) and listed among the {@link #replicas()}, replicating from
     * nothing. Its server options still say what it was built as: a {@link TopologyNode#restart()}
     * brings the old master back writable (the split brain a crashed master's {@code my.cnf} makes)
     * and a promoted replica back read-only.
     *
     * <p>A failover cannot be undone: after it, {@link #reset()} fails. The JUnit extension starts a
     * new topology for the next test by itself.
     *
     * @param replica a running replica of this topology
     * @throws IllegalArgumentException if it is not a node of this topology, or is the master
     * @throws IllegalStateException if it is not running
     * @throws UnsupportedOperationException on servers without GTIDs, or a backend that cannot re-point replicas
     * @throws TopologyException if a server refuses
     */
    void promote(TopologyNode replica);

    /**
     * Waits until every running replica whose replication runs has applied everything the master
     * had written when this was called.
     *
     * @throws TopologyException if one has not within {@code timeout}; it says which and how far
     */
    void awaitReplication(Duration timeout);

    /**
     * Brings the topology back to how it was built: thaws frozen nodes, restarts killed ones,
     * restarts stopped replication threads, resets every delay, then waits for replication.
     * Cheap when nothing was changed. The JUnit extension calls it between tests.
     *
     * @throws TopologyException if a node cannot be brought back
     */
    void reset();

    /** Kills every server, stops every proxy, and deletes every file this topology made. */
    @Override
    void close();
}
