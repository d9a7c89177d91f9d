package io.lagwise.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of routing: a 1-row primary-key select and a 1-row insert through Lagwise against raw
 * HikariCP to the same server (the select goes to the replica both ways, the insert to the master),
 * the routing decision alone (classification with a warm cache + replica choice), an insert through
 * Lagwise including the capture of its position for read-your-writes, and a read whose session
 * holds a token.
 *
 * <p>Run from the project root (about 4 minutes; {@code -prof gc} adds bytes allocated per operation):
 * <pre>
 * mvn -q -Pjmh -pl benchmarks -am verify -DskipTests -Djmh.args="RoutingBenchmark -prof gc"
 * </pre>
 * It starts its own topology (master + one replica, no injected delay) in each fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RoutingBenchmark {

    static final String SELECT = "SELECT v FROM bench WHERE id = ?";
    static final String INSERT = "INSERT INTO bench_ins (v) VALUES (?)";

    @Param({"MARIADB", "MYSQL"})
    public JdbcDriver driver;

    ReplicationTopology topology;
    HikariDataSource rawReplica;
    HikariDataSource rawMaster;
    LagwiseDataSource lagwise;
    Cluster cluster;
    long id;

    @Setup(Level.Trial)
    public void start() throws SQLException {
        topology = ReplicationTopology.builder().replica("oslo").start();
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE bench (id BIGINT PRIMARY KEY, v VARCHAR(40))");
            s.execute("CREATE TABLE bench_ins (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))");
            s.execute("INSERT INTO bench SELECT seq, CONCAT('row-', seq) FROM seq_1_to_1000");
        }
        topology.awaitReplication(java.time.Duration.ofSeconds(10));
        rawReplica = hikari(topology.node("oslo").jdbcUrl(driver));
        rawMaster = hikari(topology.master().jdbcUrl(driver));
        lagwise = LagwiseDataSource.builder().name("bench")
                .master(topology.master().jdbcUrl(driver))
                .replica(topology.node("oslo").jdbcUrl(driver), "oslo")
                .username(topology.username()).password(topology.password())
                .localRegion("oslo")
                .pool(p -> p.maximumPoolSize(4))
                .build();
        cluster = lagwise.router();

    }

    private HikariDataSource hikari(String url) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(topology.username());
        c.setPassword(topology.password());
        c.setMaximumPoolSize(4);
        return new HikariDataSource(c);
    }

    @TearDown(Level.Trial)
    public void stop() {
        lagwise.close();
        rawReplica.close();
        rawMaster.close();
        topology.close();
    }

    @Benchmark
    public String selectHikari() throws SQLException {
        return select(rawReplica);
    }

    @Benchmark
    public String selectLagwise() throws SQLException {
        return select(lagwise);
    }

    @Benchmark
    public int insertHikari() throws SQLException {
        return insert(rawMaster);
    }

    @Benchmark
    public int insertLagwise() throws SQLException {
        return insert(lagwise);
    }

    /** The benchmark thread's session holds a token (one write at set-up): a read checks it. */
    @State(Scope.Thread)
    public static class SessionWithToken {
        @Setup(Level.Trial)
        public void write(RoutingBenchmark b) throws SQLException {
            b.insert(b.lagwise);
        }
    }

    /** A read-your-writes read whose session holds a token the replica has applied. */
    @Benchmark
    public String selectLagwiseWithToken(SessionWithToken session) throws SQLException {
        return select(lagwise);
    }

    /** A connection's state and a session, for the decision alone. */
    @State(Scope.Thread)
    public static class DecisionInputs {
        final ConnectionState state = new ConnectionState();
        ConsistencySession session;

        @Setup(Level.Trial)
        public void open(RoutingBenchmark b) {
            session = b.cluster.sessions.current();
        }
    }

    /**
     * What routing adds to a read: classification with a warm cache, placement, the replica choice
     * and the read-your-writes decision (the session has no token). See RoutingDecisionBenchmark
     * for the decision with a token, in GTID and PIN mode, without servers.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Router.Route routingDecision(DecisionInputs in) throws SQLException {
        Router router = cluster.router;
        Router.Route placed = router.place(cluster.classifier.classify(SELECT), in.state);
        Node candidate = router.candidate(null, null, in.session.lastReplica());
        return router.read(io.lagwise.core.Consistency.READ_YOUR_WRITES, false, in.session.token(), in.session,
                candidate, false, cluster.ticker);
    }

    private String select(DataSource ds) throws SQLException {
        long key = (id++ % 1000) + 1;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    int insert(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, "x");
            return ps.executeUpdate();
        }
    }
}
