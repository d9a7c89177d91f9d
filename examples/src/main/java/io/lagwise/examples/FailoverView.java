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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last part of the demo: a failover. The application writes every 20 ms through Lagwise with
 * default settings; the master dies; oslo's replica is promoted as Orchestrator would do it; writes
 * resume there, found by Lagwise alone; then the old master comes back, read-only, and takes none.
 */
final class FailoverView {

    /**
     * What the failover looked like: writes that failed while no master was known, how long after the
     * promotion writes went through again (ms), on which server id, and writes the old master took
     * after it came back (0).
     */
    record Result(int failedWrites, long resumedAfterMillis, int resumedOn, int promotedServerId,
            long writesOnOldMasterAfter, String firstFailure) {}

    private FailoverView() {}

    static Result run(ReplicationTopology topology, PrintStream out) throws Exception {
        out.printf("%nFailover: the application writes every 20 ms; the master dies, oslo's replica is promoted.%n");
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS demo_failover (id BIGINT AUTO_INCREMENT PRIMARY KEY, written_on INT)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
        TopologyNode oldMaster = topology.master();
        TopologyNode oslo = topology.node("oslo");
        try (LagwiseDataSource ds = LagwiseDataSource.builder().name("demo-failover")
                .master(oldMaster.jdbcUrl())
                .replica(oslo.jdbcUrl(), "oslo")
                .replica(topology.node("frankfurt").jdbcUrl(), "frankfurt")
                .username(topology.username()).password(topology.password())
                .localRegion("oslo")
                .listener(new io.lagwise.core.ClusterListener() {
                    @Override
                    public void healthChanged(NodeSnapshot node, io.lagwise.core.Health previous) {}

                    @Override
                    public void masterChanged(NodeSnapshot master, NodeSnapshot previous) {
                        out.printf("  Lagwise: %s is the master now (was %s)%n", master.name(), previous.name());
                    }
                })
                .build()) {
            AtomicInteger failed = new AtomicInteger();
            String[] firstFailure = {null};
            int before = 0;
            for (int i = 0; i < 10; i++) {
                before = write(ds);
                Thread.sleep(20);
            }
            out.printf("  writes go to server %d (the master)%n", before);
            topology.awaitReplication(Duration.ofSeconds(10));
            long killed = System.nanoTime();
            oldMaster.kill();
            out.printf("  the master is killed%n");
            // Writes go on trying while the operators (here: the testkit, as Orchestrator) promote oslo.
            long promoted = 0;
            int resumedOn = -1;
            long resumedAt = 0;
            while (resumedOn < 0 && System.nanoTime() - killed < Duration.ofSeconds(15).toNanos()) {
                if (promoted == 0 && System.nanoTime() - killed > Duration.ofMillis(500).toNanos()) {
                    topology.promote(oslo);
                    promoted = System.nanoTime();
                    out.printf("  oslo's replica is promoted (STOP SLAVE; RESET SLAVE ALL; read_only off; frankfurt re-pointed)%n");
                }
                try {
                    resumedOn = write(ds);
                    resumedAt = System.nanoTime();
                } catch (SQLException e) {
                    if (failed.getAndIncrement() == 0) {
                        firstFailure[0] = e.getMessage();
                        out.printf("  a write fails %.0f ms after the kill: %s%n", (System.nanoTime() - killed) / 1e6,
                                shorten(e.getMessage()));
                    }
                }
                Thread.sleep(20);
            }
            long resumedAfter = promoted == 0 || resumedAt == 0 ? -1 : (resumedAt - promoted) / 1_000_000;
            out.printf("  writes resume on server %d, %d ms after the promotion; %d writes failed in between, each at once%n",
                    resumedOn, resumedAfter, failed.get());
            oldMaster.restart();
            try (Connection admin = oldMaster.connectAdmin(); Statement s = admin.createStatement()) {
                s.execute("SET GLOBAL read_only = ON"); // what the operators do before it rejoins
            }
            String oldAt = oldMaster.gtidPosition();
            out.printf("  the old master comes back, read-only%n");
            int after = 0;
            for (int i = 0; i < 25; i++) {
                after = write(ds);
                Thread.sleep(20);
            }
            long onOld = oldMaster.gtidPosition().equals(oldAt) ? 0 : 1;
            ClusterSnapshot cluster = ds.cluster();
            out.printf("  writes stay on server %d; the old master took %d of them; roles now: master %s, replicas %s%n",
                    after, onOld, cluster.master().name(),
                    cluster.replicas().stream().map(n -> n.name() + " " + n.health()).toList());
            return new Result(failed.get(), resumedAfter, resumedOn, oslo.serverId(), onOld, firstFailure[0]);
        }
    }

    /** One write in a transaction; the server id that ran it. */
    private static int write(LagwiseDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO demo_failover (written_on) VALUES (@@server_id)");
                    Statement s = c.createStatement()) {
                ps.executeUpdate();
                try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                    rs.next();
                    int id = rs.getInt(1);
                    c.commit();
                    return id;
                }
            }
        }
    }

    private static String shorten(String message) {
        return message.length() > 110 ? message.substring(0, 110) + "…" : message;
    }
}
