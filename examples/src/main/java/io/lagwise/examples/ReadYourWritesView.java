package io.lagwise.examples;

import io.lagwise.core.Consistency;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.ReadYourWritesMode;
import io.lagwise.testkit.ReplicationTopology;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The third part of the demo: users who update something and look at it at once. First reads that
 * ignore their own writes (what a plain read/write split does), then Lagwise's read-your-writes.
 */
final class ReadYourWritesView {

    /** Stale reads and replica share of one run. */
    record Run(String name, long reads, long stale, long onReplicas) {}

    private ReadYourWritesView() {}

    static List<Run> run(ReplicationTopology topology, int users, int rounds, PrintStream out) throws Exception {
        out.printf("%nRead-your-writes: %d users, each updating a value and reading it back at once, %d times.%n",
                users, rounds);
        List<Run> runs = new ArrayList<>();
        runs.add(workload(topology, "naive: reads go to the replica, ignoring the user's own write", users, rounds,
                Consistency.EVENTUAL, 1.0));
        runs.add(workload(topology, "Lagwise (defaults): the master, 0.3 ms away, beats a 40 ms wait", users,
                rounds, Consistency.READ_YOUR_WRITES, 1.0));
        runs.add(workload(topology, "Lagwise, master budget 0: waits for the replica every time", users,
                rounds, Consistency.READ_YOUR_WRITES, 0.0));
        out.println();
        out.println("  run                                                                          reads   stale   on replicas");
        for (Run r : runs) {
            out.printf("  %-76s %5d   %5d   %5.1f %%%n", r.name(), r.reads(), r.stale(), 100.0 * r.onReplicas() / r.reads());
        }
        return runs;
    }

    private static Run workload(ReplicationTopology topology, String name, int users, int rounds,
            Consistency consistency, double masterBudget) throws Exception {
        try (LagwiseDataSource ds = LagwiseDataSource.builder().name("demo-ryw")
                .master(topology.master().jdbcUrl())
                .replica(topology.node("oslo").jdbcUrl(), "oslo")
                .replica(topology.node("frankfurt").jdbcUrl(), "frankfurt")
                .username(topology.username()).password(topology.password())
                .localRegion("oslo").consistency(consistency).readYourWrites(ReadYourWritesMode.GTID)
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
            List<Thread> threads = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                int user = u;
                Thread t = new Thread(() -> {
                    try {
                        for (long version = 1; version <= rounds; version++) {
                            try (Connection c = ds.getConnection();
                                    PreparedStatement ps = c.prepareStatement(
                                            "UPDATE demo_profile SET version = ? WHERE user_id = ?")) {
                                ps.setLong(1, version);
                                ps.setInt(2, user);
                                ps.executeUpdate();
                            }
                            try (Connection c = ds.getConnection();
                                    PreparedStatement ps = c.prepareStatement(
                                            "SELECT version, @@server_id FROM demo_profile WHERE user_id = ?")) {
                                ps.setInt(1, user);
                                try (ResultSet rs = ps.executeQuery()) {
                                    rs.next();
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
            return new Run(name, reads.get(), stale.get(), onReplicas.get());
        }
    }
}
