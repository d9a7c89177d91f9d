package io.lagwise.benchmarks;

import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The replica monitor's own load on each server: statements per second it sends, with the
 * application idle, for the default settings (GTID timeline, no writes) and with heartbeats on.
 * Counted with the servers' {@code Questions} status counter over a quiet window, minus the
 * counting query itself and minus what the same window shows with no data source at all.
 *
 * <p>Run from the project root:
 * <pre>mvn -q -Pbench -pl benchmarks -am verify -DskipTests -Dbench.main=io.lagwise.benchmarks.MonitorLoad</pre>
 * Writes {@code benchmarks/results/monitor-load.md}.
 */
public final class MonitorLoad {

    private static final Duration WINDOW = Duration.ofSeconds(10);

    private MonitorLoad() {}

    /** Runs the measurement and prints the table. */
    public static void main(String[] args) throws Exception {
        MarkdownTable table = new MarkdownTable("configuration", "master (stmt/s)", "oslo (stmt/s)",
                "frankfurt (stmt/s)", "master writes (stmt/s)");
        try (ReplicationTopology topology = ReplicationTopology.builder().replica("oslo")
                .replica("frankfurt", Duration.ofMillis(20)).replicationDelay(Duration.ofMillis(40)).start()) {
            double[] idle = measure(topology, null);
            table.row("no data source (baseline)", fmt(idle[0]), fmt(idle[1]), fmt(idle[2]), fmt(idle[3]));
            double[] timeline = measure(topology, b -> { });
            table.row("Lagwise defaults: probe every 250 ms, GTID timeline", fmt(timeline[0] - idle[0]),
                    fmt(timeline[1] - idle[1]), fmt(timeline[2] - idle[2]), fmt(timeline[3] - idle[3]));
            double[] heartbeat = measure(topology, b -> b.heartbeat(Duration.ofSeconds(1)));
            table.row("plus heartbeat every 1 s", fmt(heartbeat[0] - idle[0]), fmt(heartbeat[1] - idle[1]),
                    fmt(heartbeat[2] - idle[2]), fmt(heartbeat[3] - idle[3]));
        }
        String report = "# Replica monitor load\n\nMeasured " + LocalDate.now() + " on "
                + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", by `MonitorLoad`: statements per second one idle `LagwiseDataSource` sends to each server"
                + " (the `Questions` counter over " + WINDOW.toSeconds() + " s, baseline subtracted). \"master writes\""
                + " counts the heartbeat rows every replica must also apply.\n\n" + table.toMarkdown();
        Path out = Path.of(System.getProperty("lagwise.bench.results", "benchmarks/results"), "monitor-load.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out.toAbsolutePath());
    }

    /** Statements per second on master, oslo, frankfurt, and master writes, over the window. */
    private static double[] measure(ReplicationTopology topology, Consumer<LagwiseDataSource.Builder> config)
            throws Exception {
        LagwiseDataSource ds = null;
        if (config != null) {
            LagwiseDataSource.Builder b = LagwiseDataSource.builder().name("load")
                    .master(topology.master().jdbcUrl())
                    .replica(topology.node("oslo").jdbcUrl(), "oslo")
                    .replica(topology.node("frankfurt").jdbcUrl(), "frankfurt")
                    .username(topology.username()).password(topology.password()).localRegion("oslo")
                    .pool(p -> p.minimumIdle(0));
            config.accept(b);
            ds = b.build();
            Thread.sleep(2000); // past start-up
        }
        try {
            List<TopologyNode> nodes = topology.nodes();
            long[] before = new long[nodes.size() + 1];
            long[] after = new long[nodes.size() + 1];
            read(nodes, before);
            Thread.sleep(WINDOW.toMillis());
            read(nodes, after);
            double[] rates = new double[before.length];
            for (int i = 0; i < rates.length; i++) {
                // minus the one SHOW GLOBAL STATUS of the counting itself
                rates[i] = Math.max(0, after[i] - before[i] - (i < nodes.size() ? 1 : 0)) / (double) WINDOW.toSeconds();
            }
            return rates;
        } finally {
            if (ds != null) {
                ds.close();
            }
        }
    }

    private static void read(List<TopologyNode> nodes, long[] into) throws Exception {
        List<Long> values = new ArrayList<>();
        for (TopologyNode n : nodes) {
            try (Connection c = n.connectAdmin(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_replace')")) {
                long questions = 0;
                long replaces = 0;
                while (rs.next()) {
                    if (rs.getString(1).equalsIgnoreCase("Questions")) {
                        questions = rs.getLong(2);
                    } else {
                        replaces = rs.getLong(2);
                    }
                }
                values.add(questions);
                if (n.role() == TopologyNode.Role.MASTER) {
                    into[nodes.size()] = replaces;
                }
            }
        }
        for (int i = 0; i < values.size(); i++) {
            into[i] = values.get(i);
        }
    }

    private static String fmt(double v) {
        return String.format("%.1f", Math.max(0, v));
    }
}
