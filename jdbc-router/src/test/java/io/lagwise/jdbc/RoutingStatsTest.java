package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.lagwise.core.Consistency;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LagwiseDataSource#routingStats()} counts each statement under the reason it went where it
 * went; {@link LagwiseDataSource#withConsistency} sets a thread's read level; pool metrics reach
 * the factory given. Replicas 40 ms behind, so a read right after a write needs the session's care.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class RoutingStatsTest {

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void everyStatement_isCountedUnderItsReason(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        String table = "stats_" + driver.name().toLowerCase();
        int master = topology.master().serverId();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMasterBudget(0))) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, v INT)");
                s.execute("REPLACE INTO " + table + " VALUES (1, 0)");
            }
            topology.awaitReplication(java.time.Duration.ofSeconds(5));
            RoutingStats before = ds.routingStats();

            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).isNotEqualTo(master);            // REPLICA
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + table + " SET v = v + 1 WHERE id = 1"); // WRITE
                s.executeQuery("SELECT v FROM " + table + " WHERE id = 1").close(); // after wait, or master
            }
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                assertThat(Routed.serverId(c)).isEqualTo(master);               // MASTER_REQUIRED
                c.commit();
            }
            try (var scope = ds.withConsistency(Consistency.STRONG); Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).isEqualTo(master);               // STRONG
            }
            try (Connection c = ds.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + table + " SET v = v + 1 WHERE id = 1"); // WRITE
                }
                c.setReadOnly(true);
                c.setAutoCommit(false);
                try (var ps = c.prepareStatement("SELECT v FROM " + table + " WHERE id = ?")) {
                    ps.setInt(1, 1);                                              // chosen when prepared
                    ps.executeQuery().close();                                    // counted when run
                    ps.executeQuery().close();                                    // REPLICA, or the master
                }
                c.commit();
            }

            RoutingStats after = ds.routingStats();
            assertThat(delta(before, after, RouteReason.REPLICA) + delta(before, after, RouteReason.REPLICA_AFTER_WAIT)
                    + delta(before, after, RouteReason.READ_YOUR_WRITES)).isEqualTo(4);
            assertThat(delta(before, after, RouteReason.REPLICA_AFTER_WAIT) + delta(before, after, RouteReason.READ_YOUR_WRITES))
                    .as("the reads right after each write, counted under the care they took").isGreaterThanOrEqualTo(2);
            assertThat(delta(before, after, RouteReason.WRITE)).isEqualTo(2);
            assertThat(delta(before, after, RouteReason.MASTER_REQUIRED)).isEqualTo(1);
            assertThat(delta(before, after, RouteReason.STRONG)).isEqualTo(1);
            assertThat(delta(before, after, RouteReason.NO_REPLICA)).isZero();
            assertThat(after.readYourWritesWaits() + after.readYourWritesFallbacks()
                    - before.readYourWritesWaits() - before.readYourWritesFallbacks())
                    .as("the read right after the write was not simply sent to a replica").isPositive();
            assertThat(after.reads() - before.reads()).isEqualTo(6);
            assertThat(after.writes() - before.writes()).isEqualTo(2);
            assertThat(after.statements()).containsOnlyKeys(RouteReason.values());
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aPreparedReadAfterAWrite_waitsOnce_andIsCountedOnce(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        String table = "stats_prep_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMasterBudget(0))) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, v INT)");
                s.execute("REPLACE INTO " + table + " VALUES (1, 0)");
            }
            topology.awaitReplication(java.time.Duration.ofSeconds(5));
            for (int round = 0; round < 5; round++) {
                RoutingStats before = ds.routingStats();
                try (Connection c = ds.getConnection()) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("UPDATE " + table + " SET v = v + 1 WHERE id = 1");
                    }
                    try (var ps = c.prepareStatement("SELECT v FROM " + table + " WHERE id = ?")) {
                        ps.setInt(1, 1);
                        ps.executeQuery().close();
                    }
                }
                RoutingStats after = ds.routingStats();
                assertThat(after.readYourWritesWaits() - before.readYourWritesWaits()).as("waits").isLessThanOrEqualTo(1);
                assertThat(after.readYourWritesFallbacks() - before.readYourWritesFallbacks()).as("fallbacks")
                        .isLessThanOrEqualTo(1);
                assertThat(after.reads() - before.reads()).as("one read counted once").isEqualTo(1);
                assertThat(delta(before, after, RouteReason.REPLICA_AFTER_WAIT)
                        + delta(before, after, RouteReason.READ_YOUR_WRITES)).as("under the care it took").isEqualTo(1);
            }
        }
    }

    /**
     * Next to the master (0.3 ms away here) with replicas 40 ms behind, the read after a write costs
     * less on the master than a wait: it goes there at once, counted as MASTER_CHEAPER, while the
     * budget has credit. With half a read per write, about half of them do; the others wait on a
     * replica, counted as budget waits. Never stale either way.
     */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void readsAfterWrites_nextToTheMaster_goThereAtOnce_withinTheBudget_andTheRestWait(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        String table = "stats_cost_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMasterBudget(0.5))) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, v INT)");
                s.execute("REPLACE INTO " + table + " VALUES (1, 0)");
            }
            topology.awaitReplication(java.time.Duration.ofSeconds(5));
            RoutingStats before = ds.routingStats();
            int rounds = 20;
            for (int round = 1; round <= rounds; round++) {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + table + " SET v = " + round + " WHERE id = 1");
                    try (ResultSet rs = s.executeQuery("SELECT v FROM " + table + " WHERE id = 1")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("read-your-writes").isEqualTo(round);
                    }
                }
            }
            RoutingStats after = ds.routingStats();
            long cheaper = delta(before, after, RouteReason.MASTER_CHEAPER);
            long budgetWaits = after.readYourWritesBudgetWaits() - before.readYourWritesBudgetWaits();
            System.out.printf("%s, %d writes each read back, budget 0.5: %d reads cheaper on the master, %d waited past the budget%n",
                    driver, rounds, cheaper, budgetWaits);
            assertThat(cheaper).as("reads sent to the master for being cheaper").isBetween(5L, 13L);
            assertThat(budgetWaits).as("reads that waited because the budget was spent").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void consistencyScopes_closedOutOfOrder_fail(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            ConsistencySession.Scope outer = ds.withConsistency(Consistency.STRONG);
            ConsistencySession.Scope inner = ds.withConsistency(Consistency.EVENTUAL);
            assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("innermost first");
            inner.close();
            outer.close();
            try (Connection c = ds.getConnection()) {
                assertThat(((LagwiseConnection) c).getConsistency()).isEqualTo(Consistency.READ_YOUR_WRITES);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void withoutAnEligibleReplica_readsAreCountedAsNoReplica(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = LagwiseDataSource.builder()
                .name("stats-master-only")
                .master(topology.master().jdbcUrl(driver))
                .username(topology.username())
                .password(topology.password())
                .build(); Connection c = ds.getConnection()) {
            Routed.serverId(c);
            assertThat(ds.routingStats().routed(RouteReason.NO_REPLICA)).isEqualTo(1);
            assertThat(ds.routingStats().replicaReads()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void withConsistency_nests_andRestoresThePreviousLevel(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        int master = topology.master().serverId();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); Connection c = ds.getConnection()) {
            c.setReadOnly(true); // keeps the replica for the connection's life: STRONG must still win
            assertThat(Routed.serverId(c)).isNotEqualTo(master);
            try (var strong = ds.withConsistency(Consistency.STRONG)) {
                assertThat(((LagwiseConnection) c).getConsistency()).isEqualTo(Consistency.STRONG);
                assertThat(Routed.serverId(c)).isEqualTo(master);
                try (var eventual = ds.withConsistency(Consistency.EVENTUAL)) {
                    assertThat(Routed.serverId(c)).isNotEqualTo(master);
                }
                assertThat(Routed.serverId(c)).isEqualTo(master);
            }
            assertThat(((LagwiseConnection) c).getConsistency()).isEqualTo(Consistency.READ_YOUR_WRITES);
            assertThat(Routed.serverId(c)).isNotEqualTo(master);

            ((LagwiseConnection) c).setConsistency(Consistency.EVENTUAL); // the connection's own level wins
            try (var strong = ds.withConsistency(Consistency.STRONG)) {
                assertThat(Routed.serverId(c)).isNotEqualTo(master);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void withConsistency_rejectsNull_andAScopeClosedOnAnotherThread(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            assertThatThrownBy(() -> ds.withConsistency(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("consistency");
            ConsistencySession.Scope scope = ds.withConsistency(Consistency.STRONG);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<?> f = other.submit(scope::close);
                assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(IllegalStateException.class)
                        .cause().hasMessageContaining("closed on the thread that opened it");
            } finally {
                other.shutdown();
                scope.close();
            }
            try (Connection c = ds.getConnection()) {
                assertThat(((LagwiseConnection) c).getConsistency()).isEqualTo(Consistency.READ_YOUR_WRITES);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void poolMetrics_reachTheFactory_forEveryNode(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        List<String> pools = new CopyOnWriteArrayList<>();
        MetricsTrackerFactory factory = (poolName, stats) -> {
            pools.add(poolName);
            return new IMetricsTracker() { };
        };
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.name("metered").poolMetrics(factory))) {
            assertThat(pools).containsExactlyInAnyOrder(
                    "metered.master@" + JdbcUrl.parse(topology.master().jdbcUrl(driver)).hostAndPort(),
                    "metered.replica[0]@" + JdbcUrl.parse(topology.replicas().get(0).jdbcUrl(driver)).hostAndPort(),
                    "metered.replica[1]@" + JdbcUrl.parse(topology.replicas().get(1).jdbcUrl(driver)).hostAndPort());
        }
    }

    private static long delta(RoutingStats before, RoutingStats after, RouteReason reason) {
        return after.routed(reason) - before.routed(reason);
    }
}
