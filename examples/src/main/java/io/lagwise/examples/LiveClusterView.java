package io.lagwise.examples;

import io.lagwise.core.ClusterSnapshot;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The second part of the demo: Lagwise routing a read workload over the same topology while the
 * demo stops and restarts oslo's replication, printing what its monitor sees, live, once a second:
 * per node its region, health, lag in milliseconds (and from which source), Seconds_Behind_Master,
 * round-trip time and the statements it has served.
 */
final class LiveClusterView {

    /** One printed refresh. */
    record Frame(String phase, ClusterSnapshot snapshot) {}

    private LiveClusterView() {}

    static List<Frame> run(ReplicationTopology topology, Duration phase, PrintStream out) throws Exception {
        Map<String, String> names = new HashMap<>();
        for (TopologyNode n : topology.nodes()) {
            names.put(n.host() + ":" + n.port(), n.name());
        }
        List<Frame> frames = new ArrayList<>();
        try (LagwiseDataSource ds = LagwiseDataSource.builder().name("demo")
                .master(topology.master().jdbcUrl())
                .replica(topology.node("oslo").jdbcUrl(), "oslo")
                .replica(topology.node("frankfurt").jdbcUrl(), "frankfurt")
                .username(topology.username()).password(topology.password())
                .localRegion("oslo")
                .monitorInterval(Duration.ofMillis(100))
                .heartbeat(Duration.ofMillis(250))
                .build()) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS demo_orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40))");
            }
            topology.awaitReplication(Duration.ofSeconds(10)); // the readers must find the table on the replicas
            Workload workload = new Workload(ds);
            workload.start();
            TopologyNode oslo = topology.node("oslo");
            out.printf("Now through Lagwise: 2 reader threads and 1 writer, local region oslo.%n"
                    + "What its monitor sees, once a second, while oslo's replication stops and starts again:%n");
            show("replicating normally", phase, ds, names, frames, out);
            oslo.stopSqlThread();
            show("oslo's SQL thread STOPPED: its reads move to frankfurt", phase, ds, names, frames, out);
            oslo.startSqlThread();
            show("oslo's SQL thread started again: reads come back", phase, ds, names, frames, out);
            workload.stop();
            out.printf("%nReads failed: %d of %d. Writes: %d, all on the master.%n", workload.failures,
                    workload.reads, workload.writes);
            if (workload.firstFailure != null) {
                out.println("First failed read: " + workload.firstFailure);
            }
        }
        return frames;
    }

    private static void show(String phase, Duration length, LagwiseDataSource ds, Map<String, String> names,
            List<Frame> frames, PrintStream out) throws InterruptedException {
        long end = System.nanoTime() + length.toNanos();
        out.printf("%n== %s%n", phase);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            ClusterSnapshot s = ds.cluster();
            frames.add(new Frame(phase, s));
            out.println("  node       region     health               lag (source)               Seconds_Behind_Master  RTT        served");
            for (NodeSnapshot n : s.nodes()) {
                String lag = n.lag().map(d -> String.format("%.1f ms", d.toNanos() / 1e6)).orElse("-")
                        + n.lagSource().map(src -> " (" + src.name().toLowerCase().replace('_', ' ') + ")").orElse("");
                out.printf("  %-9s  %-9s  %-19s  %-26s %-22s %-10s %d%n", names.getOrDefault(n.name(), n.name()),
                        n.region().isEmpty() ? "-" : n.region(), n.health(), lag,
                        n.role() == io.lagwise.core.NodeRole.MASTER ? "-"
                                : n.secondsBehindMaster().isPresent() ? n.secondsBehindMaster().getAsLong() + " s" : "NULL",
                        n.roundTrip().map(d -> String.format("%.2f ms", d.toNanos() / 1e6)).orElse("-"),
                        n.statementsServed());
            }
        }
    }

    /** Readers and a writer through Lagwise, counting what they did. */
    private static final class Workload {
        final LagwiseDataSource ds;
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stop;
        volatile long reads;
        volatile long failures;
        volatile long writes;
        volatile String firstFailure;

        Workload(LagwiseDataSource ds) {
            this.ds = ds;
        }

        void start() {
            for (int i = 0; i < 2; i++) {
                threads.add(thread("demo-reader-" + i, this::readLoop));
            }
            threads.add(thread("demo-writer", this::writeLoop));
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join(5_000);
            }
        }

        private Thread thread(String name, Runnable body) {
            Thread t = new Thread(body, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        private void readLoop() {
            while (!stop) {
                try (Connection c = ds.getConnection();
                        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM demo_orders WHERE id > ?")) {
                    ps.setLong(1, 0);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                } catch (Exception e) {
                    synchronized (this) {
                        failures++;
                        if (firstFailure == null) {
                            firstFailure = e.toString();
                        }
                    }
                }
                synchronized (this) {
                    reads++;
                }
                sleep(5);
            }
        }

        private void writeLoop() {
            while (!stop) {
                try (Connection c = ds.getConnection();
                        PreparedStatement ps = c.prepareStatement("INSERT INTO demo_orders (note) VALUES ('order')")) {
                    ps.executeUpdate();
                    writes++;
                } catch (Exception e) {
                    // shown by the monitor, not here
                }
                sleep(50);
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
