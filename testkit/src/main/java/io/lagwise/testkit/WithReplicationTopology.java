package io.lagwise.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a running {@link ReplicationTopology}: declare a parameter of that type on a
 * test method, a lifecycle method or the constructor.
 *
 * <pre>{@code
 * @WithReplicationTopology(replicas = {@Replica(region = "oslo"),
 *                                      @Replica(region = "frankfurt", clientDelayMillis = 20)},
 *                          replicationDelayMillis = 40)
 * class ReadRoutingTest {
 *     @Test
 *     void readsGoToOslo(ReplicationTopology topology) throws Exception { ... }
 * }
 * }</pre>
 *
 * <p>By default a topology is shared: every test class in the run that declares the same topology
 * gets the same servers, started once and closed when the run ends, so a suite pays the start-up
 * once. Before each test the extension calls {@link ReplicationTopology#reset()}, which undoes what
 * an earlier test did (killed, frozen, stopped or delayed nodes) and is nearly free when nothing was
 * changed. Tables a test creates are not dropped: name them per test class. Set {@link #shared()}
 * to {@code false} for servers of the class's own.
 *
 * <p>The container backends need Docker: where no Docker engine runs, their tests are reported as
 * skipped with the reason. Needs JUnit Jupiter 5.13 or newer.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ReplicationTopologyExtension.class)
public @interface WithReplicationTopology {

    /** The replicas; default one, in region {@code local}. */
    Replica[] replicas() default {@Replica(region = "local")};

    /** The one-way delay between every replica and the master, in milliseconds; default 0. */
    long replicationDelayMillis() default 0;

    /**
     * The one-way delay of a client proxy between the application and the master, in milliseconds;
     * default -1: none. An application far from the master; see {@link TopologyBuilder#masterClientDelay(Duration)}.
     */
    long masterClientDelayMillis() default -1;

    /** Where the servers run; default local {@code mariadbd} processes ({@link TopologyBackend#MYSQL_PROCESSES} for local MySQL ones). */
    TopologyBackend backend() default TopologyBackend.LOCAL_PROCESSES;

    /**
     * Whether the servers use GTIDs; default {@code true}. {@code false} runs MySQL servers
     * ({@link TopologyBackend#MYSQL_PROCESSES}) with {@code --gtid-mode=OFF}, replicating by binary log
     * file and position as servers without GTIDs do; see {@link TopologyBuilder#gtids(boolean)}.
     * MariaDB always writes GTIDs: {@code false} with a MariaDB backend fails the test class with a
     * {@link TopologyException} that says so.
     */
    boolean gtids() default true;

    /** Whether test classes that declare the same topology share one; default {@code true}. */
    boolean shared() default true;

    /** One replica of a {@link WithReplicationTopology}. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({})
    @interface Replica {

        /** The replica's region; it is also its name (a second one in a region is {@code region-2}). */
        String region();

        /**
         * The one-way delay of a client proxy between the application and this replica, in
         * milliseconds; default -1: no client proxy. Zero gives a proxy without delay, which a
         * test can change later.
         */
        long clientDelayMillis() default -1;
    }
}
