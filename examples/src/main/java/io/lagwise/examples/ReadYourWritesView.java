package io.lagwise.examples;

import io.lagwise.core.Consistency;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.ReadYourWritesMode;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The third part of the demo: users who update something and look at it at once. First reads that
 * ignore their own writes (what a plain read/write split does), then Lagwise's read-your-writes, with
 * the application in two places: next to the master in Oslo, and in the burst region (Frankfurt: the
 * master 20 ms away each way, the region's own replica next door).
 */
final class ReadYourWritesView {

    /** One run: where the application ran, reads, stale reads, reads on replicas, the read-after-write p50. */
    record Run(String placement, String name, long reads, long stale, long onReplicas, double readP50Millis) {}

    private ReadYourWritesView() {}

    static List<Run> run(ReplicationTopology topology, int users, int rounds, PrintStream out) throws Exception {
        out.printf("%nRead-your-writes: %d users, each updating a value and reading it back at once, %d times.%n",
                users, rounds);
        List<Run> runs = new ArrayList<>();
        String oslo = "Oslo, next to the master";
        double osloMaster = masterReadMillis(topology);
        runs.add(workload(topology, oslo, "naive: reads go to the replica, ignoring the user's own write", users, rounds,
                Consistency.EVENTUAL, 1.0, "oslo", JdbcDriver.MARIADB));
        runs.add(workload(topology, oslo, "Lagwise (defaults): the master, 0.3 ms away, beats a 40 ms wait", users,
                rounds, Consistency.READ_YOUR_WRITES, 1.0, "oslo", JdbcDriver.MARIADB));
        runs.add(workload(topology, oslo, "Lagwise, master budget 0: waits for the replica every time", users,
                rounds, Consistency.READ_YOUR_WRITES, 0.0, "oslo", JdbcDriver.MARIADB));
        // The burst region: the same code, given where it runs. The master and oslo's replica move 20 ms
        // away each way; frankfurt's replica is next door.
        TopologyNode master = topology.master();
        TopologyNode osloReplica = topology.node("oslo");
        TopologyNode frankfurt = topology.node("frankfurt");
        Duration far = Duration.ofMillis(20);
        master.clientDelay(far);
        osloReplica.clientDelay(far);
        frankfurt.clientDelay(Duration.ZERO);
        String burst = "Frankfurt, the master 40 ms away";
        double frankfurtMaster;
        try {
            frankfurtMaster = masterReadMillis(topology);
            runs.add(workload(topology, burst, "Lagwise (defaults), MariaDB Connector/J: asks the master for the GTID",
                    users, rounds / 2, Consistency.READ_YOUR_WRITES, 1.0, "frankfurt", JdbcDriver.MARIADB));
            if (JdbcDriver.MYSQL.isAvailable()) {
                runs.add(workload(topology, burst, "Lagwise (defaults), MySQL Connector/J: the GTID comes with the write",
                        users, rounds / 2, Consistency.READ_YOUR_WRITES, 1.0, "frankfurt", JdbcDriver.MYSQL));
            }
        } finally {
            master.clientDelay(Duration.ZERO);
            osloReplica.clientDelay(Duration.ZERO);
            frankfurt.clientDelay(far);
        }
        out.println();
        String placement = null;
        for (Run r : runs) {
            if (!r.placement().equals(placement)) {
                placement = r.placement();
                out.printf("  %s (a plain read from the master takes %.1f ms here)%n", placement,
                        placement.equals(oslo) ? osloMaster : frankfurtMaster);
                out.println("    run                                                                         reads   stale   on replicas   read after write p50");
            }
            out.printf("    %-74s %5d   %5d   %9.1f %%   %8.1f ms%n", r.name(), r.reads(), r.stale(),
                    100.0 * r.onReplicas() / r.reads(), r.readP50Millis());
        }
        out.println("  Next to the master the read after a write goes there: cheaper than waiting out the lag.");
        out.println("  In Frankfurt it waits briefly on the local replica instead. MariaDB Connector/J keeps a write's");
        out.println("  GTID to itself, so Lagwise asks the master for it there: a round trip, as long as a master read.");
        return runs;
    }

    /** The p50 of 21 plain reads on the master, in ms, from where the application runs now. */
    private static double masterReadMillis(ReplicationTopology topology) throws SQLException {
        double[] ms = new double[21];
        try (Connection c = java.sql.DriverManager.getConnection(topology.master().jdbcUrl(), topology.username(),
                topology.password()); Statement s = c.createStatement()) { // through the client proxy: from here
            for (int i = -3; i < ms.length; i++) {
                long t0 = System.nanoTime();
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static Run workload(ReplicationTopology topology, String placement, String name, int users, int rounds,
            Consistency consistency, double masterBudget, String localRegion, JdbcDriver driver) throws Exception {
        try (LagwiseDataSource ds = LagwiseDataSource.builder().name("demo-ryw")
                .master(topology.master().jdbcUrl(driver))
                .replica(topology.node("oslo").jdbcUrl(driver), "oslo")
                .replica(topology.node("frankfurt").jdbcUrl(driver), "frankfurt")
                .username(topology.username()).password(topology.password())
                .localRegion(localRegion).consistency(consistency).readYourWrites(ReadYourWritesMode.GTID)
                .readYourWritesMasterBudget(masterBudget)
                .build()) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS demo_profile (user_id INT PRIMARY KEY, version BIGINT NOT NULL)");
                s.execute("DELETE FROM demo_profile");
                for (int u = 0; u < users; u++) {
                    s.executeUpdate("INSERT INTO demo_profile VALUES (" + u + ", 0)");
                }
            }
            topology.awaitReplication(Duration.ofSeconds(10));
            AtomicLong reads = new AtomicLong();
            AtomicLong stale = new AtomicLong();
            AtomicLong onReplicas = new AtomicLong();
            long[][] readNanos = new long[users][rounds];
            List<Thread> threads = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                int user = u;
                Thread t = new Thread(() -> {
                    try {
                        for (int version = 1; version <= rounds; version++) {
                            try (Connection c = ds.getConnection();
                                    PreparedStatement ps = c.prepareStatement(
                                            "UPDATE demo_profile SET version = ? WHERE user_id = ?")) {
                                ps.setLong(1, version);
                                ps.setInt(2, user);
                                ps.executeUpdate();
                            }
                            long t0 = System.nanoTime();
                            try (Connection c = ds.getConnection();
                                    PreparedStatement ps = c.prepareStatement(
                                            "SELECT version, @@server_id FROM demo_profile WHERE user_id = ?")) {
                                ps.setInt(1, user);
                                try (ResultSet rs = ps.executeQuery()) {
                                    rs.next();
                                    readNanos[user][version - 1] = System.nanoTime() - t0;
                                    reads.incrementAndGet();
                                    if (rs.getLong(1) < version) {
                                        stale.incrementAndGet();
                                    }
                                    if (rs.getInt(2) != topology.master().serverId()) {
                                        onReplicas.incrementAndGet();
                                    }
                                }
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "demo-user-" + u);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long[] all = Arrays.stream(readNanos).flatMapToLong(Arrays::stream).sorted().toArray();
            return new Run(placement, name, reads.get(), stale.get(), onReplicas.get(), all[all.length / 2] / 1e6);
        }
    }
}
