package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Consistency;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The core acceptance test of read-your-writes: replicas 40 ms behind, 8 threads, each its own
 * session, each updating its own row to a new counter value and reading it back at once. Lagwise
 * shows no anomaly (a read older than the session's own write, or than what it read before); the
 * same workload with EVENTUAL reads shows them, so the test can fail.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class ReadYourWritesTest {

    static final int THREADS = 8;
    static final int ROUNDS = 250;

    /** What one run of the workload saw. */
    record Outcome(long rounds, long anomalies, long replicaReads) {
        double replicaShare() {
            return rounds == 0 ? 0 : (double) replicaReads / rounds;
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void gtidMode_hasNoAnomalies_whileEventualHasThem(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        // Waits only (no read goes to the master for being cheaper): every read still on a replica
        Outcome gtid = run(topology, driver, "gtid", b -> b.readYourWrites(ReadYourWritesMode.GTID).readYourWritesMasterBudget(0));
        // The defaults: next to the master (this machine), the read after a write is cheaper there
        Outcome byCost = run(topology, driver, "gtid_cost", b -> b.readYourWrites(ReadYourWritesMode.GTID));
        Outcome eventual = run(topology, driver, "eventual", b -> b.consistency(Consistency.EVENTUAL));
        System.out.printf("%s GTID: %s (replica share %.0f%%); by cost: %s (replica share %.0f%%); EVENTUAL: %s (replica share %.0f%%)%n",
                driver, gtid, 100 * gtid.replicaShare(), byCost, 100 * byCost.replicaShare(), eventual, 100 * eventual.replicaShare());
        assertThat(gtid.rounds()).isEqualTo(THREADS * ROUNDS);
        assertThat(gtid.anomalies()).as("GTID mode anomalies").isZero();
        assertThat(gtid.replicaShare()).as("reads still served by replicas").isGreaterThan(0.5);
        assertThat(byCost.anomalies()).as("GTID mode by cost: anomalies").isZero();
        assertThat(byCost.replicaShare()).as("the master, 0.3 ms away, beats waiting ~40 ms (and the barrier after it)").isLessThan(0.1);
        assertThat(eventual.anomalies()).as("EVENTUAL anomalies: the test can fail").isPositive();
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void pinMode_hasNoAnomalies(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        Outcome pin = run(topology, driver, "pin", b -> b.readYourWrites(ReadYourWritesMode.PIN));
        System.out.printf("%s PIN: %s (replica share %.0f%%)%n", driver, pin, 100 * pin.replicaShare());
        assertThat(pin.rounds()).isEqualTo(THREADS * ROUNDS);
        assertThat(pin.anomalies()).as("PIN mode anomalies").isZero();
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aLaterTokenWithoutPosition_pinsReadsToTheMaster_evenOverAnOlderPosition(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        int master = topology.master().serverId();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); ConsistencySession session = ds.openSession()) {
            topology.awaitReplication(Duration.ofSeconds(5));
            String position = topology.master().gtidPosition();
            session.importToken("lw1." + (System.currentTimeMillis() - 60_000) + "." + position); // applied long ago
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).as("an applied position: a replica").isNotEqualTo(master);
            }
            session.importToken("lw1." + System.currentTimeMillis() + "."); // a write whose position is unknown (PIN mode)
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).as("a later write without position: the master").isEqualTo(master);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aConnectionClosedInsideATransaction_leavesNothingPending(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        String table = "ryw_tx_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); ConsistencySession session = ds.openSession()) {
            createTable(ds, table, 1);
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + table + " SET v = v + 1 WHERE id = 0");
                }
                assertThat(session.pendingConnections()).isEqualTo(1);
            } // closed without commit: the pool rolls back
            assertThat(session.pendingConnections()).as("nothing left pending").isZero();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + table + " SET v = v + 1 WHERE id = 0");
            }
            assertThat(session.pendingConnections()).as("auto-commit write: deferred at close").isZero();
            assertThat(session.token().position().isEmpty()).as("resolved from the master's position").isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void tokenCarriedToAnotherInstance_letsItReadTheWrite(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        String table = "ryw_two_" + driver.name().toLowerCase();
        try (LagwiseDataSource writerApp = Routed.dataSource(topology, driver);
                LagwiseDataSource readerApp = Routed.dataSource(topology, driver)) {
            createTable(writerApp, table, 1);
            topology.awaitReplication(Duration.ofSeconds(5));
            long anomaliesWithToken = 0;
            long anomaliesWithout = 0;
            for (int round = 1; round <= 60; round++) {
                String exported;
                try (ConsistencySession s = writerApp.openSession(); Connection c = writerApp.getConnection()) {
                    update(c, table, 0, round);
                    exported = s.export();
                }
                assertThat(exported).startsWith("lw1.");
                boolean withToken = round % 2 == 0;
                try (ConsistencySession s = readerApp.openSession(); Connection c = readerApp.getConnection()) {
                    if (withToken) {
                        s.importToken(exported);
                    }
                    long seen = read(c, table, 0)[0];
                    if (seen < round) {
                        if (withToken) {
                            anomaliesWithToken++;
                        } else {
                            anomaliesWithout++;
                        }
                    }
                }
            }
            assertThat(anomaliesWithToken).as("reads with the imported token").isZero();
            assertThat(anomaliesWithout).as("reads without it: the test can fail").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void consistencyHints_andApi_chooseThePerReadLevel(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        String table = "ryw_hints_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMasterBudget(0))) {
            createTable(ds, table, 1);
            topology.awaitReplication(Duration.ofSeconds(5));
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c, "/* lagwise:strong */ SELECT @@server_id")).isEqualTo(RoutingTest.MASTER);
                assertThat(Routed.serverId(c)).isEqualTo(RoutingTest.OSLO);
                LagwiseConnection lc = c.unwrap(LagwiseConnection.class);
                lc.setConsistency(Consistency.STRONG);
                assertThat(lc.getConsistency()).isEqualTo(Consistency.STRONG);
                assertThat(Routed.serverId(c)).isEqualTo(RoutingTest.MASTER);
                lc.setConsistency(null);
                assertThat(lc.getConsistency()).isEqualTo(Consistency.READ_YOUR_WRITES);
            }
            long staleEventual = 0;
            for (int round = 1; round <= 20; round++) {
                try (Connection c = ds.getConnection()) {
                    update(c, table, 0, round);
                }
                try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "/* lagwise:eventual */ SELECT v FROM " + table + " WHERE id = 0")) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        staleEventual += rs.getLong(1) < round ? 1 : 0;
                    }
                }
                try (Connection c = ds.getConnection()) {
                    assertThat(read(c, table, 0)[0]).as("the default read after the write").isEqualTo(round);
                }
            }
            assertThat(staleEventual).as("an eventual read may miss the write, and here does").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void writesOnAConnectionTiedToTheMaster_areCaptured_andRowCountStillSeesTheWrite(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        String table = "ryw_forced_" + driver.name().toLowerCase();
        // A long wait: on a loaded machine the 40 ms replica may need more than the default 50 ms,
        // and this test is about what is captured, not about how long a wait may take.
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMaxWait(Duration.ofSeconds(2))
                .readYourWritesMasterBudget(0))) {
            createTable(ds, table, 1);
            topology.awaitReplication(Duration.ofSeconds(5));
            for (int round = 1; round <= 10; round++) {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SET @round = " + round); // ties the connection to the master
                    assertThat(s.executeUpdate("UPDATE " + table + " SET v = @round WHERE id = 0")).isEqualTo(1);
                    try (ResultSet rs = s.executeQuery("SELECT ROW_COUNT()")) {
                        rs.next();
                        assertThat(rs.getLong(1)).as("ROW_COUNT() after the write, not after a capture query")
                                .isEqualTo(1);
                    }
                }
                try (Connection c = ds.getConnection()) {
                    long[] seen = read(c, table, 0);
                    assertThat(seen[0]).isEqualTo(round);
                    assertThat(seen[1]).as("read from a replica that caught up").isEqualTo(RoutingTest.OSLO);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void forgedTokenFromTheFuture_cannotPinReadsToTheMasterForever(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver); ConsistencySession s = ds.openSession()) {
            s.importToken("lw1.999999999999999." + oldPosition(topology));
            assertThat(s.token().writtenAtMillis()).isLessThanOrEqualTo(System.currentTimeMillis());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.importToken("lw1.1." + oldPosition(topology) + "\r\nX: y"))
                    .isInstanceOf(IllegalArgumentException.class);
            try (Connection c = ds.getConnection()) {
                assertThat(Routed.serverId(c)).as("an old, applied position: a replica").isEqualTo(RoutingTest.OSLO);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void readsStayMonotonic_whenTheSessionMustMoveToAReplicaThatIsBehind(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        String table = "ryw_mono_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver,
                b -> b.monitorInterval(Duration.ofMillis(100)).probeTimeout(Duration.ofMillis(500)));
                Connection writer = topology.master().connect()) {
            createTable(ds, table, 1);
            topology.awaitReplication(Duration.ofSeconds(5));
            topology.node("frankfurt").replicationDelay(Duration.ofMillis(800));
            update(writer, table, 0, 7); // written outside the session: no token covers it
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            long seenOnOslo = 0;
            while (seenOnOslo < 7 && System.nanoTime() < deadline) {
                try (Connection c = ds.getConnection()) {
                    seenOnOslo = read(c, table, 0)[0];
                }
            }
            assertThat(seenOnOslo).as("the session saw the new value on oslo").isEqualTo(7);
            topology.node("oslo").kill();
            try (Connection c = ds.getConnection()) {
                long[] next = read(c, table, 0);
                assertThat(next[0]).as("never older than what the session read before").isGreaterThanOrEqualTo(7);
            }
        }
    }

    /**
     * MySQL Connector/J hands over the GTID the server reports with each write (MySQL:
     * session_track_gtids; MariaDB: last_gtid as a tracked system variable), so the master connection
     * tracks it and the session learns the write's position with no query; MariaDB Connector/J keeps
     * tracked variables to itself, so there the position is read with a query, as before.
     */
    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aWritesGtid_isTrackedWithMysqlConnectorJ_onEitherServer(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        String table = "ryw_tracked_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver)) {
            createTable(ds, table, 1);
            topology.awaitReplication(Duration.ofSeconds(5));
            try (ConsistencySession session = ds.openSession(); Connection c = ds.getConnection()) {
                String beforeWrite = topology.master().gtidPosition();
                update(c, table, 0, 7);
                String afterWrite = topology.master().gtidPosition();
                assertThat(read(c, table, 0)[0]).isEqualTo(7);
                TrackedGtids.Tracker tracker = c.unwrap(RoutingConnection.class).routing.servers.master.tracker;
                if (driver == JdbcDriver.MYSQL) {
                    assertThat(tracker).as("the master connection tracks its writes' GTIDs").isNotNull().isNotSameAs(TrackedGtids.NONE);
                } else {
                    assertThat(tracker).as("MariaDB Connector/J: no tracking").isNull();
                }
                // MySQL with tracking: exactly the write's own GTID; otherwise the master's position
                // right after it (on MariaDB the same thing: one GTID per domain)
                String expected = Routed.mysql(topology) && driver == JdbcDriver.MYSQL
                        ? io.lagwise.core.GtidSet.parse(afterWrite).subtract(io.lagwise.core.GtidSet.parse(beforeWrite)).toString()
                        : afterWrite;
                assertThat(session.token().position().toString()).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void mixedWorkload_gtidKeepsNearlyAllTheReplicaShareOfEventual_withNoAnomaly(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        Outcome eventual = mixed(topology, driver, "m_eventual", b -> b.consistency(Consistency.EVENTUAL));
        Outcome pin2s = mixed(topology, driver, "m_pin2s",
                b -> b.readYourWrites(ReadYourWritesMode.PIN).pinWindowMinimum(Duration.ofSeconds(2)));
        Outcome pinAdaptive = mixed(topology, driver, "m_pinad", b -> b.readYourWrites(ReadYourWritesMode.PIN));
        Outcome gtid = mixed(topology, driver, "m_gtid", b -> b.readYourWrites(ReadYourWritesMode.GTID).readYourWritesMasterBudget(0));
        Outcome byCost = mixed(topology, driver, "m_gtidc", b -> b.readYourWrites(ReadYourWritesMode.GTID));
        System.out.printf("%s mixed 90/10 | mode | reads | anomalies | replica share%n", driver);
        for (var e : java.util.Map.of("EVENTUAL", eventual, "PIN 2 s", pin2s, "PIN adaptive", pinAdaptive,
                "GTID, waits only", gtid, "GTID by cost (defaults)", byCost).entrySet()) {
            System.out.printf("%s mixed 90/10 | %s | %d | %d | %.1f%%%n", driver, e.getKey(), e.getValue().rounds(),
                    e.getValue().anomalies(), 100 * e.getValue().replicaShare());
        }
        assertThat(gtid.anomalies()).isZero();
        assertThat(pinAdaptive.anomalies()).isZero();
        assertThat(pin2s.anomalies()).isZero();
        assertThat(byCost.anomalies()).isZero();
        assertThat(gtid.replicaShare()).as("GTID keeps >= 90% of EVENTUAL's replica share")
                .isGreaterThanOrEqualTo(0.9 * eventual.replicaShare());
        // By cost, the master (0.3 ms away) takes the read that follows each write, no more (the
        // budget: one read per write); 10 % of operations are writes
        assertThat(byCost.replicaShare()).as("GTID by cost keeps >= 80% of EVENTUAL's replica share")
                .isGreaterThanOrEqualTo(0.8 * eventual.replicaShare());
    }

    /** Sessions of 90% reads and 10% writes with short think times; a read counts as an anomaly as above. */
    Outcome mixed(ReplicationTopology topology, JdbcDriver driver, String name,
            Consumer<LagwiseDataSource.Builder> config) throws Exception {
        String table = "ryw_" + name + "_" + driver.name().toLowerCase();
        int sessions = 8;
        int operations = 200;
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> {
            b.pool(p -> p.maximumPoolSize(sessions + 2));
            config.accept(b);
        })) {
            createTable(ds, table, sessions);
            topology.awaitReplication(Duration.ofSeconds(5));
            AtomicLong reads = new AtomicLong();
            AtomicLong anomalies = new AtomicLong();
            AtomicLong replicaReads = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(sessions);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < sessions; t++) {
                    int row = t;
                    done.add(pool.submit(() -> {
                        java.util.Random random = new java.util.Random(row);
                        long written = 0;
                        long lastRead = 0;
                        for (int op = 0; op < operations; op++) {
                            if (random.nextInt(10) == 0) {
                                try (Connection c = ds.getConnection()) {
                                    update(c, table, row, ++written);
                                }
                            } else {
                                long[] seen;
                                try (Connection c = ds.getConnection()) {
                                    seen = read(c, table, row);
                                }
                                reads.incrementAndGet();
                                if (seen[0] < written || seen[0] < lastRead) {
                                    anomalies.incrementAndGet();
                                }
                                lastRead = Math.max(lastRead, seen[0]);
                                if (seen[1] != RoutingTest.MASTER) {
                                    replicaReads.incrementAndGet();
                                }
                            }
                            Thread.sleep(2 + random.nextInt(6));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            return new Outcome(reads.get(), anomalies.get(), replicaReads.get());
        }
    }

    Outcome run(ReplicationTopology topology, JdbcDriver driver, String name,
            Consumer<LagwiseDataSource.Builder> config) throws Exception {
        String table = "ryw_" + name + "_" + driver.name().toLowerCase();
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> {
            b.pool(p -> p.maximumPoolSize(THREADS + 2));
            config.accept(b);
        })) {
            createTable(ds, table, THREADS);
            topology.awaitReplication(Duration.ofSeconds(5));
            AtomicLong rounds = new AtomicLong();
            AtomicLong anomalies = new AtomicLong();
            AtomicLong replicaReads = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int row = t;
                    done.add(pool.submit(() -> {
                        long lastRead = 0;
                        for (int round = 1; round <= ROUNDS; round++) {
                            try (Connection c = ds.getConnection()) {
                                update(c, table, row, round);
                            }
                            long[] seen;
                            try (Connection c = ds.getConnection()) {
                                seen = read(c, table, row);
                            }
                            if (seen[0] < round || seen[0] < lastRead) {
                                anomalies.incrementAndGet();
                            }
                            lastRead = Math.max(lastRead, seen[0]);
                            if (seen[1] != RoutingTest.MASTER) {
                                replicaReads.incrementAndGet();
                            }
                            rounds.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            return new Outcome(rounds.get(), anomalies.get(), replicaReads.get());
        }
    }

    /** A position every replica has long applied, in the servers' own kind of GTID. */
    String oldPosition(ReplicationTopology topology) {
        return "0-1-1";
    }

    static void createTable(LagwiseDataSource ds, String table, int rows) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v BIGINT NOT NULL)");
            for (int i = 0; i < rows; i++) {
                s.executeUpdate("INSERT INTO " + table + " VALUES (" + i + ", 0)");
            }
        }
    }

    static void update(Connection c, String table, int row, long value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET v = ? WHERE id = ?")) {
            ps.setLong(1, value);
            ps.setInt(2, row);
            ps.executeUpdate();
        }
    }

    /** The row's value and the server that read it. */
    static long[] read(Connection c, String table, int row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v, @@server_id FROM " + table + " WHERE id = ?")) {
            ps.setInt(1, row);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }
}
