package io.lagwise.benchmarks;

import io.lagwise.benchmarks.contenders.Contender;
import io.lagwise.benchmarks.contenders.Contenders;
import io.lagwise.benchmarks.contenders.Contenders.Kind;
import io.lagwise.benchmarks.contenders.Workloads;
import io.lagwise.benchmarks.contenders.Workloads.Event;
import io.lagwise.benchmarks.contenders.Workloads.Point;
import io.lagwise.benchmarks.contenders.Workloads.Ryw;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyBackend;
import io.lagwise.testkit.TopologyNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lagwise beside what users would pick instead, in one run on one topology (a master and two
 * replicas on this machine, replication 40 ms behind): raw HikariCP on the master, MariaDB
 * Connector/J's replication mode, MySQL Connector/J's replication connection, Spring's routing
 * DataSource, and Lagwise in GTID and PIN mode. Point reads and writes (1 and 8 threads),
 * read-your-writes (write then read; a 90/10 mix), and the mix while a replica lags (SQL thread
 * stopped) and while one is killed. Writes {@code latest.md} and {@code latest.svg} to the results
 * directory ({@code -Dlagwise.bench.results}); on MySQL servers {@code latest-mysql.md} and
 * {@code latest-mysql.svg}.
 *
 * <pre>
 * mvn -q -Pbench -pl benchmarks -am verify -DskipTests -Dbench.main=io.lagwise.benchmarks.ContendersBenchmark
 * mvn -q -Pbench -pl benchmarks -am verify -DskipTests -Dbench.main=io.lagwise.benchmarks.ContendersBenchmark \
 *     -Dbench.servers=mysql -Dbench.args=quick
 * </pre>
 *
 * <p>Arguments: {@code quick} for short phases (a smoke run), or a phase length in seconds; and
 * {@code contenders} or {@code placements} for one part only (default both). The placements part
 * ({@link Placements}) writes {@code latest-placements.md} ({@code latest-mysql-placements.md}).
 * {@code -Dlagwise.bench.servers} ({@code -Dbench.servers} through the {@code bench} profile) picks
 * the servers: {@code mariadb} (default) or {@code mysql} (MySQL 8.0.31, local processes).
 */
public final class ContendersBenchmark {

    /** The system property that picks the servers. */
    static final String SERVERS_PROPERTY = "lagwise.bench.servers";

    /** The servers the topology runs, a closed set. */
    enum Servers {
        /** Local {@code mariadbd} processes. */
        MARIADB("mariadb", "MariaDB", TopologyBackend.LOCAL_PROCESSES, "latest"),
        /** Local Oracle MySQL {@code mysqld} processes (8.0.31 unless one is configured). */
        MYSQL("mysql", "MySQL", TopologyBackend.MYSQL_PROCESSES, "latest-mysql");

        private final String value;
        private final String product;
        private final TopologyBackend backend;
        private final String fileStem;

        Servers(String value, String product, TopologyBackend backend, String fileStem) {
            this.value = value;
            this.product = product;
            this.backend = backend;
            this.fileStem = fileStem;
        }

        /**
         * The servers {@code value} names; {@code null} (the property unset) is MariaDB.
         *
         * @throws IllegalArgumentException unless {@code value} is {@code mariadb} or {@code mysql}
         */
        static Servers of(String value) {
            if (value == null) {
                return MARIADB;
            }
            for (Servers s : values()) {
                if (s.value.equals(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(SERVERS_PROPERTY + " must be mariadb or mysql, was '" + value + "'");
        }

        /** The results file for this kind of server, e.g. {@code latest-mysql.md} for {@code .md}. */
        String file(String extension) {
            return fileStem + extension;
        }
    }

    /** Everything measured for one contender. */
    record Result(String name, boolean readsReplicas, Point read1, Point read8, Point txRead1, Point txRead8,
            Point write1, Point write8, Ryw writeThenRead, Ryw mix, Ryw lagging, Ryw killed) {}

    /** One run: on which servers ({@code server}: product and version, e.g. {@code MySQL 8.0.31}), and the results. */
    record Run(Servers servers, String server, List<Result> results) {}

    private ContendersBenchmark() {}

    /**
     * Runs the comparison.
     *
     * @param args {@code quick}, or the seconds each phase runs (default 5)
     * @throws Exception if the topology cannot start
     */
    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(5);
        boolean contenders = true;
        boolean placements = true;
        for (String arg : args) {
            switch (arg) {
                case "quick" -> phase = Duration.ofMillis(600);
                case "contenders" -> placements = false;
                case "placements" -> contenders = false;
                default -> {
                    try {
                        phase = Duration.ofSeconds(Long.parseLong(arg));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("expected quick, a phase length in seconds, contenders or"
                                + " placements; got '" + arg + "'", e);
                    }
                }
            }
        }
        Servers servers = Servers.of(System.getProperty(SERVERS_PROPERTY));
        Path dir = Path.of(System.getProperty("lagwise.bench.results", "benchmarks/results"));
        if (placements) {
            List<Placements.Placement> measured = Placements.run(phase, servers.backend);
            String markdown = Placements.header(servers.product) + Placements.markdown(measured, phase, servers.product);
            System.out.println();
            System.out.println(markdown);
            Files.createDirectories(dir);
            Path md = dir.resolve(servers.file("-placements.md"));
            Files.writeString(md, markdown);
            System.out.println("Written: " + md);
        }
        if (!contenders) {
            return;
        }
        Run run = run(phase, List.of(Kind.values()), servers);
        String markdown = markdown(run, phase);
        System.out.println();
        System.out.println(markdown);
        Files.createDirectories(dir);
        Path md = dir.resolve(servers.file(".md"));
        Path svg = dir.resolve(servers.file(".svg"));
        Files.writeString(md, markdown);
        Files.writeString(svg, Chart.svg(run.results()));
        System.out.println("Written: " + md + " and " + svg);
    }

    static Run run(Duration phase, List<Kind> kinds, Servers servers) throws Exception {
        System.out.printf("Starting a %s master and two replicas, replication 40 ms behind...%n", servers.product);
        try (ReplicationTopology topology = ReplicationTopology.builder().backend(servers.backend).replica("oslo")
                .replica("oslo").replicationDelay(Duration.ofMillis(40)).start()) {
            String server = servers.product + " " + version(topology);
            System.out.println(server + ": " + topology.serverDescription());
            prepare(topology);
            Workloads w = new Workloads(topology.master().serverId());
            TopologyNode victim = topology.replicas().get(0);
            Duration faultPhase = phase.multipliedBy(2);
            List<Result> results = new ArrayList<>();
            for (Kind kind : kinds) {
                System.out.printf("%s ...%n", kind.label());
                topology.reset();
                topology.awaitReplication(Duration.ofSeconds(30));
                try (Contender c = Contenders.start(kind, topology, 8)) {
                    // Warm-up, as long as a measured phase: the JIT (each contender's own code is new to
                    // it), pools, the servers' caches (the killed replica restarted cold).
                    w.pointReads(c, 8, phase);
                    w.pointWrites(c, 8, phase.dividedBy(2));
                    w.readYourWrites(c, 8, phase.dividedBy(2), 0.1, List.of());
                    Duration settle = Duration.ofSeconds(30); // no replication backlog carried into a phase
                    topology.awaitReplication(settle);
                    Point read1 = w.pointReads(c, 1, phase);
                    Point read8 = w.pointReads(c, 8, phase);
                    Contender tx = c.inReadOnlyTransactions();
                    w.pointReads(tx, 8, phase.dividedBy(2));
                    Point txRead1 = w.pointReads(tx, 1, phase);
                    Point txRead8 = w.pointReads(tx, 8, phase);
                    Point write1 = w.pointWrites(c, 1, phase);
                    topology.awaitReplication(settle);
                    Point write8 = w.pointWrites(c, 8, phase);
                    topology.awaitReplication(settle);
                    Ryw writeThenRead = w.readYourWrites(c, 8, phase, 1.0, List.of());
                    topology.awaitReplication(settle);
                    Ryw mix = w.readYourWrites(c, 8, phase, 0.1, List.of());
                    topology.awaitReplication(settle);
                    Ryw lagging = w.readYourWrites(c, 8, faultPhase, 0.1, List.of(
                            new Event(0.25, "stop the SQL thread", victim::stopSqlThread),
                            new Event(0.6, "start it", victim::startSqlThread)));
                    topology.awaitReplication(Duration.ofSeconds(30));
                    Ryw killed = w.readYourWrites(c, 8, faultPhase, 0.1, List.of(
                            new Event(0.25, "kill the replica", victim::kill),
                            new Event(0.6, "restart it", victim::restart)));
                    Result r = new Result(kind.label(), c.readsReplicas(), read1, read8, txRead1, txRead8, write1, write8, writeThenRead,
                            mix, lagging, killed);
                    results.add(r);
                    System.out.printf("  reads/s %.0f (8 threads), stale %d + %d, failed under faults %d + %d%n",
                            read8.opsPerSecond(), writeThenRead.stale(), mix.stale(), lagging.failures(),
                            killed.failures());
                }
            }
            return new Run(servers, server, results);
        }
    }

    /** The master's version, e.g. {@code 8.0.31} or {@code 10.11.6} (MariaDB's suffix cut off). */
    private static String version(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            String v = rs.getString(1);
            int dash = v.indexOf('-');
            return dash > 0 ? v.substring(0, dash) : v;
        }
    }

    static void prepare(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_item");
            s.execute("DROP TABLE IF EXISTS bench_user");
            s.execute("CREATE TABLE bench_item (id INT PRIMARY KEY, v BIGINT NOT NULL, pad VARCHAR(100) NOT NULL)");
            s.execute("CREATE TABLE bench_user (id INT PRIMARY KEY, v BIGINT NOT NULL)");
            StringBuilder sql = new StringBuilder();
            for (int i = 1; i <= Workloads.ITEMS; i++) {
                sql.append(sql.length() == 0 ? "INSERT INTO bench_item VALUES " : ",")
                        .append('(').append(i).append(",0,'").append("x".repeat(64)).append("')");
                if (i % 1000 == 0) {
                    s.execute(sql.toString());
                    sql.setLength(0);
                }
            }
            for (int u = 1; u <= 64; u++) {
                s.execute("INSERT INTO bench_user VALUES (" + u + ", 0)");
            }
        }
        topology.awaitReplication(Duration.ofSeconds(30));
    }

    static String markdown(Run run, Duration phase) {
        List<Result> results = run.results();
        StringBuilder md = new StringBuilder();
        md.append("# Lagwise beside the alternatives");
        md.append(run.servers() == Servers.MARIADB ? "" : ", on " + run.servers().product + " servers").append("\n\n");
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores, Java %s, one run of `ContendersBenchmark`: a %s"
                + " master and two replicas on this machine, replication 40 ms behind, pools of 8 connections per"
                + " server, phases of %.1f s (faults: %.1f s) after a warm-up of 2 phases per contender.%n%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), run.server(),
                phase.toMillis() / 1000.0, phase.toMillis() * 2 / 1000.0));
        md.append("## Point operations\n\n");
        MarkdownTable point = new MarkdownTable("contender", "reads/s 1 thr", "p50 µs", "p99 µs", "reads/s 8 thr",
                "p99 µs", "B/read", "writes/s 1 thr", "p99 µs", "writes/s 8 thr", "B/write");
        for (Result r : results) {
            point.row(r.name(), n(r.read1().opsPerSecond()), n(r.read1().p50Micros()), n(r.read1().p99Micros()),
                    n(r.read8().opsPerSecond()), n(r.read8().p99Micros()), n(r.read8().bytesPerOp()),
                    n(r.write1().opsPerSecond()), n(r.write1().p99Micros()), n(r.write8().opsPerSecond()),
                    n(r.write8().bytesPerOp()));
        }
        md.append(point.toMarkdown()).append('\n');
        md.append("Bytes per operation: what the worker threads allocated (pool, driver, router) divided by"
                + " operations; background threads (Lagwise's monitor, HikariCP's housekeeper) are not counted."
                + " Failed point operations: " + results.stream().mapToLong(r -> r.read1().failures()
                        + r.read8().failures() + r.write1().failures() + r.write8().failures()).sum() + ".\n\n");
        md.append("## Point reads, plain and in a read-only transaction\n\n");
        MarkdownTable tx = new MarkdownTable("contender", "plain: reads/s 1 thr", "p50 µs", "reads/s 8 thr",
                "read-only tx: reads/s 1 thr", "p50 µs", "reads/s 8 thr");
        for (Result r : results) {
            tx.row(r.name(), n(r.read1().opsPerSecond()), n(r.read1().p50Micros()), n(r.read8().opsPerSecond()),
                    n(r.txRead1().opsPerSecond()), n(r.txRead1().p50Micros()), n(r.txRead8().opsPerSecond()));
        }
        md.append(tx.toMarkdown()).append('\n');
        md.append("Like with like: plain is each contender's auto-commit read (Spring: a LazyConnectionDataSourceProxy"
                + " whose read-only DataSource takes the replicas in turn, `setReadOnly(true)` per read); read-only tx"
                + " is the same read inside a transaction of its own (`setReadOnly(true)`, `setAutoCommit(false)`,"
                + " `commit()`; Spring: a TransactionTemplate with readOnly over a routing DataSource keyed on it), as a"
                + " `@Transactional(readOnly = true)` method runs it. A transaction costs two more round trips.\n\n");
        md.append("## Read-your-writes (8 users, each its own row)\n\n");
        MarkdownTable ryw = new MarkdownTable("contender", "write→read: stale", "on replicas", "ops/s",
                "90/10 mix: stale", "on replicas", "ops/s");
        for (Result r : results) {
            ryw.row(r.name(), r.writeThenRead().stale() + " of " + r.writeThenRead().reads(),
                    pct(r.writeThenRead().replicaShare()), n(r.writeThenRead().opsPerSecond()),
                    r.mix().stale() + " of " + r.mix().reads(), pct(r.mix().replicaShare()), n(r.mix().opsPerSecond()));
        }
        md.append(ryw.toMarkdown()).append('\n');
        md.append("Stale: a read older than the same user's last write. On replicas: share of reads that a replica"
                + " served (by `@@server_id`). Users run without pause, so a read almost always comes within the"
                + " 40 ms replication delay of the same user's last write: the hardest case for read-your-writes.\n\n");
        md.append("## Faults during the 90/10 mix\n\n");
        MarkdownTable faults = new MarkdownTable("contender", "replica lagging: failed ops", "stale reads",
                "on replicas", "ops/s", "replica killed: failed ops", "stale reads", "on replicas", "ops/s");
        for (Result r : results) {
            faults.row(r.name(), r.lagging().failures() + " of " + (r.lagging().ops() + r.lagging().failures()),
                    r.lagging().stale(), pct(r.lagging().replicaShare()), n(r.lagging().opsPerSecond()),
                    r.killed().failures() + " of " + (r.killed().ops() + r.killed().failures()), r.killed().stale(),
                    pct(r.killed().replicaShare()), n(r.killed().opsPerSecond()));
        }
        md.append(faults.toMarkdown()).append('\n');
        md.append("Lagging: one replica's SQL thread stopped from 25 % to 60 % of the phase. Killed: that replica"
                + " SIGKILLed at 25 %, restarted at 60 %. Failed ops count statements (a write or a read).\n\n");
        if (run.servers() == Servers.MARIADB) {
            md.append("MySQL Connector/J runs here against MariaDB servers (the topology is MariaDB), which is not how"
                    + " most of its users run it; its figures may include compatibility paths.\n");
        } else {
            md.append("MySQL Connector/J's replication connection runs here against the servers it was made for. Every"
                    + " other contender connects with MariaDB Connector/J, as on MariaDB servers (the same driver"
                    + " under each, so the routing is what differs); MariaDB Connector/J against MySQL servers is not"
                    + " how most MySQL users run, and its figures may include compatibility paths.\n");
        }
        return md.toString();
    }

    private static String n(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }

    /** A bar chart as SVG: reads per second (8 threads) and stale reads (write→read) per contender. */
    static final class Chart {
        private Chart() {}

        static String svg(List<Result> results) {
            int rowH = 26;
            int top = 40;
            int labelW = 210;
            int barW = 300;
            int gap = 40;
            int width = labelW + 2 * barW + gap + 140;
            int height = top + rowH * results.size() + 30;
            double maxReads = results.stream().mapToDouble(r -> r.read8().opsPerSecond()).max().orElse(1);
            double maxStale = Math.max(1, results.stream().mapToDouble(r -> r.writeThenRead().stale()).max().orElse(1));
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
            s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-weight=\"bold\">reads/s, 8 threads</text>%n",
                    labelW));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-weight=\"bold\">stale reads, write→read</text>%n",
                    labelW + barW + gap));
            int y = top;
            for (Result r : results) {
                boolean lagwise = r.name().startsWith("Lagwise");
                String colour = lagwise ? "#2a7ab0" : "#999999";
                s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>%n", y + 14, escape(r.name())));
                int w1 = (int) Math.round(barW * r.read8().opsPerSecond() / maxReads);
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>%n",
                        labelW, y, Math.max(1, w1), colour));
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", labelW + w1 + 4, y + 14,
                        n(r.read8().opsPerSecond())));
                int w2 = (int) Math.round(barW * r.writeThenRead().stale() / maxStale);
                int x2 = labelW + barW + gap;
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>%n",
                        x2, y, Math.max(1, w2), r.writeThenRead().stale() == 0 ? "#3a9a4a" : "#c0392b"));
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d of %d</text>%n", x2 + w2 + 4, y + 14,
                        r.writeThenRead().stale(), r.writeThenRead().reads()));
                y += rowH;
            }
            s.append("</svg>\n");
            return s.toString();
        }

        private static String escape(String text) {
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
