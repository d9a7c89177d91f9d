package io.lagwise.examples;

import io.lagwise.testkit.LagSamples;
import io.lagwise.testkit.ReplicaStatus;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import io.lagwise.testkit.VisibleLagMeter;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The main demo: why replication lag must be measured in milliseconds.
 *
 * <p>Starts a real topology: a master and two replicas, "oslo" (near) and "frankfurt" (far: the
 * application reaches it through a 20 ms delay proxy), each trailing the master by a ~40 ms
 * replication delay. Part one writes rows on the master, watches each replica for them, samples
 * {@code Seconds_Behind_Master} all the while, and prints one table. Part two routes a read and
 * write workload through Lagwise and prints, live, what its monitor sees while the demo stops and
 * restarts oslo's replication ({@link LiveClusterView}). Part three has users update a value and read
 * it back at once: a naive read/write split shows them stale data, Lagwise none
 * ({@link ReadYourWritesView}). Part four is a failover: the master dies, a replica is promoted,
 * writes resume there, and the old master comes back read-only ({@link FailoverView}).
 *
 * <p>Run it from the project root: {@code mvn -q -Pdemo -pl examples -am package -DskipTests}.
 * Options (as {@code -Ddemo.args="--rows 200"}): {@code --rows N} (default 100),
 * {@code --interval-ms N} between writes (default 50), {@code --delay-ms N} replication delay
 * (default 40).
 */
public final class ReplicationLagDemo {

    /** What one run measured, per replica, in declaration order, and the live frames of part two. */
    record Result(Duration startup, String server, Map<String, Row> rows, List<LiveClusterView.Frame> frames,
            List<ReadYourWritesView.Run> readYourWrites, FailoverView.Result failover) {}

    /** One replica's line of the table. */
    record Row(String name, String region, Duration roundTrip, LagSamples lag, int sbmSamples, int sbmZero,
            long sbmMax) {}

    private ReplicationLagDemo() {}

    /**
     * Runs the demo and prints its table.
     *
     * @param args {@code --rows N}, {@code --interval-ms N}, {@code --delay-ms N}
     */
    public static void main(String[] args) throws Exception {
        int rows = 100;
        int intervalMs = 50;
        int delayMs = 40;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--rows" -> rows = positive("--rows", value);
                case "--interval-ms" -> intervalMs = positive("--interval-ms", value);
                case "--delay-ms" -> delayMs = positive("--delay-ms", value);
                default -> {
                    System.err.println("unknown option '" + args[i] + "'; use --rows N, --interval-ms N, --delay-ms N");
                    System.exit(2);
                }
            }
            i++;
        }
        run(rows, Duration.ofMillis(intervalMs), Duration.ofMillis(delayMs), Duration.ofSeconds(3), System.out);
    }

    static Result run(int rows, Duration interval, Duration replicationDelay, Duration livePhase, PrintStream out)
            throws Exception {
        out.printf("Lagwise demo: replication lag in milliseconds, not seconds%n%n");
        out.printf("Starting a master and two replicas: oslo (near) and frankfurt (20 ms away),%n"
                + "each %d ms behind the master on the wire...%n", replicationDelay.toMillis());
        // Delay proxies in front of the master and oslo too (no delay yet): the read-your-writes part
        // moves the application to Frankfurt by delaying them.
        try (ReplicationTopology topology = ReplicationTopology.builder()
                .masterClientDelay(Duration.ZERO)
                .replica("oslo", Duration.ZERO)
                .replica("frankfurt", Duration.ofMillis(20))
                .replicationDelay(replicationDelay)
                .start()) {
            out.printf("  up in %.1f s: %s%n%n", topology.startupTime().toMillis() / 1000.0,
                    shortServer(topology.serverDescription()));
            Map<String, Duration> rtt = new LinkedHashMap<>();
            for (TopologyNode replica : topology.replicas()) {
                rtt.put(replica.name(), roundTrip(replica));
            }
            out.printf("Writing %d rows on the master, one every %d ms, and watching each replica for them...%n%n",
                    rows, interval.toMillis());
            SecondsBehindSampler sbm = new SecondsBehindSampler(topology.replicas());
            try (VisibleLagMeter meter = VisibleLagMeter.start(topology)) {
                sbm.start();
                for (int i = 0; i < rows; i++) {
                    meter.write();
                    Thread.sleep(interval.toMillis());
                }
                meter.awaitVisible(Duration.ofSeconds(10));
                sbm.stop();
                Map<String, Row> result = new LinkedHashMap<>();
                for (TopologyNode r : topology.replicas()) {
                    List<Long> s = sbm.samples.getOrDefault(r.name(), List.of());
                    result.put(r.name(), new Row(r.name(), r.region(), rtt.get(r.name()), meter.samples(r.name()),
                            s.size(), (int) s.stream().filter(v -> v == 0).count(),
                            s.stream().mapToLong(Long::longValue).max().orElse(-1)));
                }
                print(result, replicationDelay, out);
                out.println();
                List<LiveClusterView.Frame> frames = LiveClusterView.run(topology, livePhase, out);
                List<ReadYourWritesView.Run> ryw = ReadYourWritesView.run(topology, 4, 40, out);
                FailoverView.Result failover = FailoverView.run(topology, out);
                return new Result(topology.startupTime(), topology.serverDescription(), result, frames, ryw, failover);
            }
        }
    }

    private static void print(Map<String, Row> rows, Duration delay, PrintStream out) {
        out.println("replica    region     app RTT   visible lag after commit (ms)   Seconds_Behind_Master");
        out.println("                                  p50     p99     max             (sampled every 100 ms)");
        out.println("---------  ---------  --------  ------  ------  ------  ---------------------------------");
        for (Row r : rows.values()) {
            out.printf("%-9s  %-9s  %5.2f ms  %6.1f  %6.1f  %6.1f  %s%n", r.name(), r.region(),
                    r.roundTrip().toNanos() / 1e6, ms(r.lag().percentile(0.5)), ms(r.lag().percentile(0.99)),
                    ms(r.lag().max()), r.sbmSamples() == 0 ? "no samples"
                            : r.sbmZero() == r.sbmSamples() ? "0 s in all " + r.sbmSamples() + " samples"
                            : "0 s in " + r.sbmZero() + " of " + r.sbmSamples() + " samples, max " + r.sbmMax() + " s");
        }
        out.println();
        double worst = rows.values().stream().mapToDouble(r -> ms(r.lag().percentile(0.5))).max().orElse(0);
        out.printf("Each write took ~%.0f ms to become visible on the replicas (%d ms injected on the wire),%n"
                + "yet Seconds_Behind_Master said 0: whole seconds cannot see it, and a user who reads a%n"
                + "replica right after writing would miss their own write. Lagwise measures lag in%n"
                + "milliseconds and routes around it (see README).%n", worst, delay.toMillis());
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    private static String shortServer(String description) {
        int cut = description.indexOf(" for ");
        return cut > 0 && description.contains("Ver ") ? description.substring(description.indexOf("Ver ") + 4, cut)
                + description.substring(description.indexOf(" (", cut)) : description;
    }

    /** The best of a few {@code SELECT 1} round trips through the application's own address. */
    static Duration roundTrip(TopologyNode node) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                long t = System.nanoTime();
                s.execute("SELECT 1");
                best = Math.min(best, System.nanoTime() - t);
            }
            return Duration.ofNanos(best);
        }
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println(option + " needs a positive whole number, was '" + value + "'");
        System.exit(2);
        return 0;
    }

    /** Samples Seconds_Behind_Master on every replica every 100 ms. */
    private static final class SecondsBehindSampler {
        final List<TopologyNode> replicas;
        final Map<String, List<Long>> samples = new ConcurrentHashMap<>();
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stop;

        SecondsBehindSampler(List<TopologyNode> replicas) {
            this.replicas = replicas;
        }

        void start() {
            for (TopologyNode r : replicas) {
                List<Long> list = java.util.Collections.synchronizedList(new ArrayList<>());
                samples.put(r.name(), list);
                Thread t = new Thread(() -> {
                    while (!stop) {
                        ReplicaStatus status = r.replicaStatus();
                        status.secondsBehindMaster().ifPresent(list::add);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "demo-sbm-" + r.name());
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join(2_000);
            }
        }
    }
}
