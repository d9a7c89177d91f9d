package io.lagwise.benchmarks;

import io.lagwise.benchmarks.contenders.Contender;
import io.lagwise.benchmarks.contenders.Contenders;
import io.lagwise.benchmarks.contenders.Workloads;
import io.lagwise.benchmarks.contenders.Workloads.Point;
import io.lagwise.benchmarks.contenders.Workloads.Ryw;
import io.lagwise.core.Consistency;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyBackend;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Read-your-writes by where the application runs, part of {@link ContendersBenchmark}: the same
 * Lagwise defaults next to the master (the master 0.3 ms away, two replicas 40 ms behind) and in the
 * burst region (the master 20 ms away each way, the region's own replica next door and 40 ms behind,
 * the other region's replica as far as the master). Measures the read after a write, a 90/10 mix
 * with think times beside {@link Consistency#EVENTUAL}, and eight-thread point reads beside raw
 * HikariCP to one replica in interleaved rounds; checks each against the targets of issue 15.
 */
final class Placements {

    /** One user's pause between operations in the mix. */
    static final Duration THINK = Duration.ofMillis(50);
    static final int USERS = 8;
    static final int ROUNDS = 6;

    /** One contender's figures in one placement; {@code rounds} its interleaved write→read rounds (or one). */
    record Row(String name, Ryw writeThenRead, Ryw mix, Ryw[] rounds) {

        Row(String name, Ryw writeThenRead, Ryw mix) {
            this(name, writeThenRead, mix, new Ryw[] {writeThenRead});
        }

        double[] rates() {
            return Arrays.stream(rounds).mapToDouble(Ryw::opsPerSecond).toArray();
        }
    }

    /** Reads per second of each contender ({@code names}) in each interleaved round. */
    record Reads(List<String> names, double[][] opsPerRound) {

        double[] ratios(String of, String to) {
            double[] a = opsPerRound[names.indexOf(of)];
            double[] b = opsPerRound[names.indexOf(to)];
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                r[i] = a[i] / b[i];
            }
            return r;
        }

        double mean(String of) {
            return Arrays.stream(opsPerRound[names.indexOf(of)]).average().orElse(0);
        }
    }

    /** One placement's figures; {@code reads} null where they were not measured. */
    record Placement(String title, String where, Point masterRead, List<Row> rows, Reads reads, List<Capture> captures) {

        Row row(String name) {
            return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        }
    }

    /** What learning one committed write's position costs with one driver: µs per write, median of rounds. */
    record Capture(String driver, String how, double plainMicros, double capturedMicros) {}

    /** A target, what was measured and whether it was met. */
    record Target(String what, String measured, boolean met) {}

    static final String RAW = "HikariCP, master only";
    static final String RAW_MYSQL_CJ = "HikariCP, master only, MySQL C/J";
    static final String LAGWISE = "Lagwise (defaults)";
    static final String LAGWISE_MYSQL_CJ = "Lagwise (defaults), MySQL C/J";
    static final String NO_BUDGET = "Lagwise (master budget 0)";
    static final String EVENTUAL = "Lagwise (EVENTUAL)";
    static final String HIKARI_ONE = "HikariCP, one replica";
    static final String HIKARI_TWO = "HikariCP, two replicas in turn";
    static final String LAGWISE_ONE = "Lagwise, one replica";

    private Placements() {}

    /**
     * Both placements on {@code backend}'s servers, phases of {@code phase}; the system property
     * {@code lagwise.bench.placement} ({@code near} or {@code burst}) runs one only.
     */
    static List<Placement> run(Duration phase, TopologyBackend backend) throws Exception {
        String only = System.getProperty("lagwise.bench.placement", "both");
        List<Placement> out = new ArrayList<>();
        if (!only.equals("burst")) {
            System.out.println("Placement: next to the master ...");
            try (ReplicationTopology t = ReplicationTopology.builder().backend(backend).replica("oslo").replica("oslo")
                    .replicationDelay(Duration.ofMillis(40)).start()) {
                out.add(measure(t, phase, "Next to the master", "master 0.3 ms away, two replicas next door 40 ms"
                        + " behind", "oslo", true));
            }
        }
        if (!only.equals("near")) {
            System.out.println("Placement: the burst region ...");
            try (ReplicationTopology t = ReplicationTopology.builder().backend(backend)
                    .masterClientDelay(Duration.ofMillis(20)).replica("frankfurt").replica("oslo", Duration.ofMillis(20))
                    .replicationDelay(Duration.ofMillis(40)).start()) {
                out.add(measure(t, phase, "The burst region", "master 20 ms away each way; frankfurt's replica next"
                        + " door 40 ms behind the master; oslo's replica 20 ms away each way", "frankfurt", false));
            }
        }
        return out;
    }

    private static Placement measure(ReplicationTopology topology, Duration phase, String title, String where,
            String localRegion, boolean near) throws Exception {
        ContendersBenchmark.prepare(topology);
        Workloads w = new Workloads(topology.master().serverId());
        List<Row> rows = new ArrayList<>();
        Point masterRead;
        // The write→read comparison: the same driver under each pair, interleaved rounds, the order turned
        // each round (sequential phases on two cores differ by more than what is measured).
        List<String> names = List.of(RAW, LAGWISE, RAW_MYSQL_CJ, LAGWISE_MYSQL_CJ);
        int rounds = near ? ROUNDS : 2;
        Ryw[][] wr = new Ryw[names.size()][rounds];
        Ryw[] mixes = new Ryw[names.size()];
        try (Contender raw = Contenders.pool(RAW, topology.master(), topology, USERS, JdbcDriver.MARIADB);
                Contender lagwise = Contenders.lagwise(LAGWISE, topology, USERS, JdbcDriver.MARIADB, localRegion, b -> { });
                Contender rawMysql = Contenders.pool(RAW_MYSQL_CJ, topology.master(), topology, USERS, JdbcDriver.MYSQL);
                Contender lagwiseMysql = Contenders.lagwise(LAGWISE_MYSQL_CJ, topology, USERS, JdbcDriver.MYSQL, localRegion,
                        b -> { })) {
            List<Contender> contenders = List.of(raw, lagwise, rawMysql, lagwiseMysql);
            w.pointReads(raw, 1, phase.dividedBy(2));
            masterRead = w.pointReads(raw, 1, phase);
            for (Contender c : contenders) { // warm-up: JIT, pools, what Lagwise learns
                w.readYourWrites(c, USERS, phase.dividedBy(2), 1.0, List.of());
            }
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("  write→read round " + (round + 1) + ":");
                for (int k = 0; k < contenders.size(); k++) {
                    int c = (k + round) % contenders.size();
                    wr[c][round] = writeThenRead(w, contenders.get(c), topology, phase);
                }
                for (int c = 0; c < contenders.size(); c++) {
                    line.append(String.format(Locale.ROOT, " %s %.0f ops/s (read p50 %.2f ms);", names.get(c),
                            wr[c][round].opsPerSecond(), wr[c][round].readAfterWriteP50Micros() / 1000));
                }
                System.out.println(line);
            }
            for (int c : new int[] {1, 3}) {
                topology.awaitReplication(Duration.ofSeconds(30));
                String before = contenders.get(c).routing();
                mixes[c] = w.readYourWrites(contenders.get(c), USERS, phase.multipliedBy(2), 0.1, THINK, List.of());
                System.out.printf("  %s, 90/10 + think: on replicas %s, stale %d%n    routing before %s%n    after  %s%n",
                        names.get(c), pct(mixes[c].replicaShare()), mixes[c].stale(), before, contenders.get(c).routing());
            }
        }
        for (int c = 0; c < names.size(); c++) {
            rows.add(new Row(names.get(c), combine(wr[c]), mixes[c], wr[c]));
        }
        rows.add(lagwise(w, topology, phase, NO_BUDGET, JdbcDriver.MARIADB, localRegion,
                b -> b.readYourWritesMasterBudget(0), false));
        rows.add(lagwise(w, topology, phase, EVENTUAL, JdbcDriver.MARIADB, localRegion,
                b -> b.consistency(Consistency.EVENTUAL), true));
        Reads reads = near ? interleavedReads(w, topology, phase, localRegion) : null;
        List<Capture> captures = near ? captureCosts(topology) : List.of();
        return new Placement(title, where, masterRead, rows, reads, captures);
    }

    /** Rounds of one contender as one: sums, mean throughput, median of the rounds' percentiles. */
    private static Ryw combine(Ryw[] rounds) {
        long ops = 0;
        long reads = 0;
        long stale = 0;
        long replica = 0;
        long failures = 0;
        double[] rate = new double[rounds.length];
        double[] p50 = new double[rounds.length];
        double[] p99 = new double[rounds.length];
        double[] write = new double[rounds.length];
        for (int i = 0; i < rounds.length; i++) {
            Ryw r = rounds[i];
            ops += r.ops();
            reads += r.reads();
            stale += r.stale();
            replica += r.replicaReads();
            failures += r.failures();
            rate[i] = r.opsPerSecond();
            p50[i] = r.readAfterWriteP50Micros();
            p99[i] = r.readAfterWriteP99Micros();
            write[i] = r.writeP50Micros();
        }
        return new Ryw(ops, reads, stale, replica, failures, Arrays.stream(rate).average().orElse(0), median(p50),
                median(p99), median(write));
    }

    /**
     * Eight-thread point reads in interleaved rounds, the order turned each round so that none always
     * gets the warmer machine: raw HikariCP to one replica (the target's yardstick), Lagwise with its two
     * replicas, and — to tell Lagwise's own cost from the machine's — HikariCP taking both replicas in
     * turn and Lagwise with one replica.
     */
    private static Reads interleavedReads(Workloads w, ReplicationTopology topology, Duration phase, String localRegion)
            throws Exception {
        List<String> names = List.of(HIKARI_ONE, LAGWISE, HIKARI_TWO, LAGWISE_ONE);
        double[][] ops = new double[names.size()][ROUNDS];
        try (Contender one = Contenders.pool(HIKARI_ONE, topology.replicas().get(0), topology, USERS, JdbcDriver.MARIADB);
                Contender lagwise = Contenders.lagwise(LAGWISE, topology, USERS, JdbcDriver.MARIADB, localRegion, b -> { });
                Contender two = Contenders.inTurn(HIKARI_TWO, topology.replicas(), topology, USERS);
                Contender lagwiseOne = Contenders.lagwise(LAGWISE_ONE, topology, List.of(topology.replicas().get(0)), USERS,
                        JdbcDriver.MARIADB, localRegion, b -> { })) {
            List<Contender> contenders = List.of(one, lagwise, two, lagwiseOne);
            for (Contender c : contenders) {
                w.pointReads(c, USERS, phase);
            }
            for (int round = 0; round < ROUNDS; round++) {
                StringBuilder line = new StringBuilder("  round " + (round + 1) + ":");
                for (int k = 0; k < contenders.size(); k++) {
                    int i = (k + round) % contenders.size();
                    ops[i][round] = w.pointReads(contenders.get(i), USERS, phase).opsPerSecond();
                }
                for (int i = 0; i < contenders.size(); i++) {
                    line.append(String.format(Locale.ROOT, " %s %.0f;", names.get(i), ops[i][round]));
                }
                System.out.println(line);
            }
        }
        return new Reads(names, ops);
    }

    /**
     * What learning a committed write's position costs per write, on the master next door, one thread:
     * an auto-commit {@code UPDATE} alone, and with what Lagwise does to learn its GTID through each
     * driver — MariaDB Connector/J: {@code SELECT @@last_gtid} on the same connection (its replies'
     * tracked variables are not exposed); MySQL Connector/J: session tracking switched on, the GTID read
     * from the reply itself. The two kinds alternate write by write (so that the machine's moods fall on
     * both alike); medians of each kind's latencies.
     */
    static List<Capture> captureCosts(ReplicationTopology topology) throws java.sql.SQLException {
        boolean mariadb = topology.serverDescription().contains("MariaDB");
        String lastGtid = mariadb ? "SELECT @@last_gtid" : "SELECT @@GLOBAL.gtid_executed";
        String track = mariadb ? "SET SESSION session_track_system_variables = CONCAT_WS(',',"
                + " NULLIF(@@session_track_system_variables, ''), 'last_gtid')" : "SET SESSION session_track_gtids = OWN_GTID";
        List<Capture> out = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(topology.master().jdbcUrl(JdbcDriver.MARIADB),
                topology.username(), topology.password()); java.sql.Statement st = c.createStatement()) {
            double[] p50 = alternate(st, null, st, lastGtid);
            out.add(new Capture("MariaDB C/J", "`" + lastGtid + "` after the write (a round trip)", p50[0], p50[1]));
        }
        String url = topology.master().jdbcUrl(JdbcDriver.MYSQL);
        String sep = url.contains("?") ? "&" : "?";
        try (java.sql.Connection off = java.sql.DriverManager.getConnection(url, topology.username(), topology.password());
                java.sql.Connection on = java.sql.DriverManager.getConnection(url + sep + "trackSessionState=true",
                        topology.username(), topology.password());
                java.sql.Statement a = off.createStatement(); java.sql.Statement b = on.createStatement()) {
            b.execute(track);
            double[] p50 = alternate(a, null, b, null);
            out.add(new Capture("MySQL C/J", "tracked in the write's own reply (" + (mariadb ? "`last_gtid`" : "`OWN_GTID`")
                    + ", `trackSessionState=true`)", p50[0], p50[1]));
        }
        return out;
    }

    /** Writes on {@code a} and on {@code b} in turn ({@code thenA}/{@code thenB} after each, when given); p50 µs of each. */
    private static double[] alternate(java.sql.Statement a, String thenA, java.sql.Statement b, String thenB)
            throws java.sql.SQLException {
        int writes = 5000;
        io.lagwise.core.LatencyHistogram ha = new io.lagwise.core.LatencyHistogram();
        io.lagwise.core.LatencyHistogram hb = new io.lagwise.core.LatencyHistogram();
        for (int i = -500; i < writes; i++) { // the first 500 of each warm up
            long t0 = System.nanoTime();
            write(a, thenA);
            long t1 = System.nanoTime();
            write(b, thenB);
            long t2 = System.nanoTime();
            if (i >= 0) {
                ha.record(t1 - t0);
                hb.record(t2 - t1);
            }
        }
        return new double[] {ha.percentile(0.50) / 1000.0, hb.percentile(0.50) / 1000.0};
    }

    private static void write(java.sql.Statement st, String then) throws java.sql.SQLException {
        st.executeUpdate("UPDATE bench_user SET v = v + 1 WHERE id = 64");
        if (then != null) {
            try (java.sql.ResultSet rs = st.executeQuery(then)) {
                rs.next();
                rs.getString(1);
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
    }

    private static Row lagwise(Workloads w, ReplicationTopology topology, Duration phase, String name, JdbcDriver driver,
            String localRegion, Consumer<io.lagwise.jdbc.LagwiseDataSource.Builder> settings, boolean mix)
            throws Exception {
        System.out.printf("  %s ...%n", name);
        try (Contender c = Contenders.lagwise(name, topology, USERS, driver, localRegion, settings)) {
            w.readYourWrites(c, USERS, phase.dividedBy(2), 1.0, List.of()); // warm-up: JIT, pools, what is learned
            topology.awaitReplication(Duration.ofSeconds(30));
            Ryw wr = writeThenRead(w, c, topology, phase);
            Ryw m = null;
            if (mix) {
                topology.awaitReplication(Duration.ofSeconds(30));
                String before = c.routing();
                m = w.readYourWrites(c, USERS, phase, 0.1, THINK, List.of());
                System.out.printf("    mix routing: before %s%n    after %s%n", before, c.routing());
            }
            System.out.printf("    write→read %.0f ops/s, read p50 %.2f ms, stale %d; mix on replicas %s%n",
                    wr.opsPerSecond(), wr.readAfterWriteP50Micros() / 1000, wr.stale(),
                    m == null ? "-" : pct(m.replicaShare()));
            return new Row(name, wr, m);
        }
    }

    private static Ryw writeThenRead(Workloads w, Contender c, ReplicationTopology topology, Duration phase)
            throws Exception {
        topology.awaitReplication(Duration.ofSeconds(30));
        return w.readYourWrites(c, USERS, phase, 1.0, List.of());
    }

    /** The targets of issue 15, checked on the figures. */
    static List<Target> targets(List<Placement> placements) {
        List<Target> out = new ArrayList<>();
        Placement near = placements.stream().filter(p -> !p.captures().isEmpty()).findFirst().orElse(null);
        Placement burst = placements.stream().filter(p -> p.captures().isEmpty()).findFirst().orElse(null);
        for (String name : near == null ? List.<String>of() : List.of(LAGWISE, LAGWISE_MYSQL_CJ)) {
            Ryw l = near.row(name).writeThenRead();
            String raw = name.equals(LAGWISE) ? RAW : RAW_MYSQL_CJ; // the same driver under both
            double[] a = near.row(name).rates();
            double[] b = near.row(raw).rates();
            double[] ratios = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                ratios[i] = a[i] / b[i];
            }
            double ratio = median(ratios);
            out.add(new Target("Next to the master, " + name + ": write→read ≥ 0.8× " + raw + " (median of "
                    + ratios.length + " interleaved rounds), 0 stale", String.format(Locale.ROOT,
                            "%.2f× (rounds %s), %d stale", ratio, ratioList(ratios), l.stale()),
                    ratio >= 0.8 && l.stale() == 0));
        }
        for (String name : burst == null ? List.<String>of() : List.of(LAGWISE, LAGWISE_MYSQL_CJ)) {
            Ryw l = burst.row(name).writeThenRead();
            double ratio = l.readAfterWriteP50Micros() / burst.masterRead().p50Micros();
            out.add(new Target("Burst region, " + name + ": read after a write p50 ≤ 0.6× a master read, 0 stale",
                    String.format(Locale.ROOT, "%.2f× (%.1f / %.1f ms), %d stale", ratio,
                            l.readAfterWriteP50Micros() / 1000, burst.masterRead().p50Micros() / 1000, l.stale()),
                    ratio <= 0.6 && l.stale() == 0));
        }
        for (Placement p : placements) {
            double eventual = p.row(EVENTUAL).mix().replicaShare();
            for (String name : List.of(LAGWISE, LAGWISE_MYSQL_CJ)) {
                Ryw m = p.row(name).mix();
                double ratio = eventual == 0 ? 0 : m.replicaShare() / eventual;
                out.add(new Target(p.title() + ", " + name + ": 90/10 with think times, replica share ≥ 90 % of"
                        + " EVENTUAL's, 0 stale", String.format(Locale.ROOT, "%s of %s (%.2f×), %d stale",
                                pct(m.replicaShare()), pct(eventual), ratio, m.stale()), ratio >= 0.9 && m.stale() == 0));
            }
        }
        if (near != null && near.reads() != null) {
            double[] same = near.reads().ratios(LAGWISE_ONE, HIKARI_ONE);
            double[] two = near.reads().ratios(LAGWISE, HIKARI_ONE);
            double[] machine = near.reads().ratios(HIKARI_TWO, HIKARI_ONE);
            out.add(new Target("Eight-thread point reads ≥ 0.95× HikariCP to one replica, Lagwise on that replica too"
                    + " (median of " + same.length + " interleaved rounds)", String.format(Locale.ROOT,
                            "%.3f× (rounds %s)", median(same), ratioList(same)), median(same) >= 0.95));
            out.add(new Target("… Lagwise with both replicas, beside the same (two server processes share this machine's"
                    + " two cores: HikariCP taking both in turn does " + String.format(Locale.ROOT, "%.2f×", median(machine))
                    + ")", String.format(Locale.ROOT, "%.3f× (rounds %s)", median(two), ratioList(two)),
                    median(two) >= 0.95));
        }
        return out;
    }

    static String markdown(List<Placement> placements, Duration phase, String server) {
        StringBuilder md = new StringBuilder();
        md.append("## Read-your-writes by placement\n\n");
        md.append(String.format(Locale.ROOT, "%s, %d users, phases of %.1f s, Lagwise with its defaults unless"
                + " named (read-your-writes by GTID, wait at most 50 ms, master budget 1 read per write). The"
                + " placements are delay proxies on this machine: the application's own link to the master (and to"
                + " the other region's replica) is delayed, replication passes its own 40 ms proxy.%n%n", server, USERS,
                phase.toMillis() / 1000.0));
        for (Placement p : placements) {
            md.append("### ").append(p.title()).append("\n\n").append(p.where()).append(String.format(Locale.ROOT,
                    ". A plain master read from here: p50 %.2f ms.%n%n", p.masterRead().p50Micros() / 1000));
            MarkdownTable t = new MarkdownTable("contender", "write→read ops/s", "read after write p50 ms", "p99 ms",
                    "write p50 ms", "stale", "on replicas", "90/10 + think: stale", "on replicas");
            for (Row r : p.rows()) {
                Ryw wr = r.writeThenRead();
                t.row(r.name(), n(wr.opsPerSecond()), ms(wr.readAfterWriteP50Micros()), ms(wr.readAfterWriteP99Micros()),
                        ms(wr.writeP50Micros()), wr.stale() + " of " + wr.reads(), pct(wr.replicaShare()),
                        r.mix() == null ? "–" : r.mix().stale() + " of " + r.mix().reads(),
                        r.mix() == null ? "–" : pct(r.mix().replicaShare()));
            }
            md.append(t.toMarkdown()).append('\n');
            if (!p.captures().isEmpty()) {
                md.append("Learning a committed write's position, per write (one thread, auto-commit `UPDATE` on the"
                        + " master next door, the two kinds alternating write by write, p50 of 5,000 each):\n\n");
                MarkdownTable c = new MarkdownTable("driver", "how Lagwise learns the GTID", "write alone p50 µs",
                        "write + capture p50 µs", "capture costs µs");
                for (Capture cap : p.captures()) {
                    c.row(cap.driver(), cap.how(), String.format(Locale.ROOT, "%.1f", cap.plainMicros()),
                            String.format(Locale.ROOT, "%.1f", cap.capturedMicros()),
                            String.format(Locale.ROOT, "%.1f", cap.capturedMicros() - cap.plainMicros()));
                }
                md.append(c.toMarkdown()).append('\n');
                md.append("Far from the master the query costs a round trip to it; the tracked reply costs nothing more"
                        + " (MariaDB Connector/J 3.5 and 4.0 read the session-tracking part of each reply but keep only a"
                        + " fixed list of variables, not `last_gtid`).\n\n");
            }
            if (p.reads() != null) {
                Reads r = p.reads();
                md.append(String.format(Locale.ROOT, "Eight-thread point reads, %d interleaved rounds (the order turned"
                        + " each round), reads/s:%n%n", ROUNDS));
                MarkdownTable t2 = new MarkdownTable("contender", "mean reads/s", "per round");
                for (String name : r.names()) {
                    double[] rounds = r.opsPerRound()[r.names().indexOf(name)];
                    StringBuilder list = new StringBuilder();
                    for (double v : rounds) {
                        list.append(list.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", v));
                    }
                    t2.row(name, n(r.mean(name)), list.toString());
                }
                md.append(t2.toMarkdown()).append('\n');
                md.append(String.format(Locale.ROOT, "Medians of the per-round ratios: Lagwise ÷ HikariCP one replica %.3f;"
                        + " HikariCP two replicas in turn ÷ one replica %.3f (what spreading reads over two server processes"
                        + " costs this machine); Lagwise one replica ÷ HikariCP one replica %.3f (Lagwise's own cost);"
                        + " Lagwise ÷ HikariCP two replicas in turn %.3f.%n%n", median(r.ratios(LAGWISE, HIKARI_ONE)),
                        median(r.ratios(HIKARI_TWO, HIKARI_ONE)), median(r.ratios(LAGWISE_ONE, HIKARI_ONE)),
                        median(r.ratios(LAGWISE, HIKARI_TWO))));
            }
        }
        md.append("Write→read: each user updates its row and reads it back at once, without pause. 90/10 + think:"
                + " each operation a write with probability 0.1, else a read of the user's row, after a pause of "
                + THINK.toMillis() / 2 + "–" + THINK.toMillis() * 3 / 2 + " ms. Stale: a read older than the same"
                + " user's last write. EVENTUAL is the replica share without read-your-writes (and may be stale).\n\n");
        md.append("### Targets\n\n");
        MarkdownTable t = new MarkdownTable("target", "measured", "met");
        for (Target target : targets(placements)) {
            t.row(target.what(), target.measured(), target.met() ? "yes" : "**no**");
        }
        md.append(t.toMarkdown()).append('\n');
        return md.toString();
    }

    static String header(String server) {
        return String.format(Locale.ROOT, "# Read-your-writes by placement%n%nMeasured %s on %d cores, Java %s, `ContendersBenchmark"
                + " placements` on %s servers.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), server);
    }

    private static String ratioList(double[] ratios) {
        StringBuilder s = new StringBuilder();
        for (double r : ratios) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r));
        }
        return s.toString();
    }

    private static String n(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ms(double micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }
}
