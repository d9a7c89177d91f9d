package io.lagwise.benchmarks;

import io.lagwise.testkit.LagSamples;
import io.lagwise.testkit.ReplicaStatus;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import io.lagwise.testkit.VisibleLagMeter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Workload benchmark of the test bed itself: how fast a topology starts, how much memory its
 * servers take, and the visible lag distribution with and without injected delay.
 *
 * <p>Run from the project root:
 * <pre>mvn -q -Pbench -pl benchmarks -am verify -DskipTests -Dbench.main=io.lagwise.benchmarks.FoundationFigures</pre>
 * It prints tables and writes them to {@code benchmarks/results/foundation.md}. Options (in
 * {@code -Dbench.args="..."}): {@code --starts N} (default 5), {@code --rows N} (default 500).
 */
public final class FoundationFigures {

    private FoundationFigures() {}

    /** Runs the measurements; see the class documentation for options. */
    public static void main(String[] args) throws Exception {
        int starts = 5;
        int rows = 500;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--starts" -> starts = Integer.parseInt(args[i + 1]);
                case "--rows" -> rows = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --starts N, --rows N");
            }
        }
        StringBuilder report = new StringBuilder("# Test bed figures\n\n");
        report.append("Measured ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append(", by `FoundationFigures`.\n\n");

        // 1. Start-up time of master + 2 replicas (40 ms delay), repeated.
        MarkdownTable startup = new MarkdownTable("run", "start (ms)", "server");
        long[] startMillis = new long[starts];
        String server = "";
        for (int i = 0; i < starts; i++) {
            try (ReplicationTopology t = topology(Duration.ofMillis(40))) {
                startMillis[i] = t.startupTime().toMillis();
                server = t.serverDescription();
                startup.row(i + 1, startMillis[i], i == 0 ? shortServer(server) : "");
            }
        }
        long[] sorted = startMillis.clone();
        Arrays.sort(sorted);
        section(report, "Start-up: master + 2 replicas, from nothing to replicating", startup,
                "median " + sorted[sorted.length / 2] + " ms, min " + sorted[0] + " ms, max " + sorted[sorted.length - 1] + " ms");

        // 2. Visible lag and memory, with 40 ms and with no injected delay.
        MarkdownTable lag = new MarkdownTable("injected delay", "replica", "samples", "p50 (ms)", "p90 (ms)",
                "p99 (ms)", "max (ms)", "Seconds_Behind_Master");
        MarkdownTable memory = new MarkdownTable("node", "RSS after start (MiB)", "RSS after workload (MiB)");
        for (int delay : new int[] {40, 0}) {
            try (ReplicationTopology t = topology(Duration.ofMillis(delay))) {
                List<Long> rssStart = new ArrayList<>();
                for (TopologyNode n : t.nodes()) {
                    rssStart.add(n.residentMemoryBytes());
                }
                try (VisibleLagMeter meter = VisibleLagMeter.start(t)) {
                    List<String> sbm = new ArrayList<>();
                    for (int i = 0; i < rows; i++) {
                        meter.write();
                        Thread.sleep(20);
                        if (i % 50 == 0) {
                            for (TopologyNode r : t.replicas()) {
                                ReplicaStatus s = r.replicaStatus();
                                sbm.add(r.name() + "=" + s.secondsBehindMaster().orElse(-1));
                            }
                        }
                    }
                    meter.awaitVisible(Duration.ofSeconds(10));
                    for (TopologyNode r : t.replicas()) {
                        LagSamples s = meter.samples(r.name());
                        long nonZero = sbm.stream().filter(x -> x.startsWith(r.name() + "=") && !x.endsWith("=0")).count();
                        long total = sbm.stream().filter(x -> x.startsWith(r.name() + "=")).count();
                        lag.row(delay + " ms", r.name(), s.count(), ms(s.percentile(0.5)), ms(s.percentile(0.9)),
                                ms(s.percentile(0.99)), ms(s.max()), (total - nonZero) + " of " + total + " samples were 0");
                    }
                }
                if (delay == 40) {
                    List<TopologyNode> nodes = t.nodes();
                    long sumStart = 0;
                    long sumEnd = 0;
                    for (int i = 0; i < nodes.size(); i++) {
                        long end = nodes.get(i).residentMemoryBytes();
                        sumStart += rssStart.get(i);
                        sumEnd += end;
                        memory.row(nodes.get(i).name(), mib(rssStart.get(i)), mib(end));
                    }
                    memory.row("**all three**", mib(sumStart), mib(sumEnd));
                }
            }
        }
        section(report, "Visible replication lag (" + rows + " writes, one every 20 ms, seen on each replica's own port)",
                lag, "Seconds_Behind_Master sampled every 50 writes.");
        section(report, "Memory of the three servers (40 ms topology)", memory, "RSS from /proc/<pid>/status.");

        Path out = Path.of(System.getProperty("lagwise.bench.results", "benchmarks/results"), "foundation.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out.toAbsolutePath());
    }

    private static String shortServer(String description) {
        int ver = description.indexOf("Ver ");
        int end = description.indexOf(" for ", Math.max(0, ver));
        return ver >= 0 && end > ver ? "MariaDB " + description.substring(ver + 4, end) : description;
    }

    private static ReplicationTopology topology(Duration delay) {
        return ReplicationTopology.builder().replica("oslo").replica("frankfurt", Duration.ofMillis(20))
                .replicationDelay(delay).start();
    }

    private static void section(StringBuilder report, String title, MarkdownTable table, String note) {
        report.append("## ").append(title).append("\n\n").append(table.toMarkdown()).append('\n').append(note).append("\n\n");
    }

    private static String ms(Duration d) {
        return String.format("%.1f", d.toNanos() / 1e6);
    }

    private static String mib(long bytes) {
        return String.format("%.0f", bytes / (1024.0 * 1024.0));
    }
}
