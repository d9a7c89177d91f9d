package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.ConsistencyToken;
import io.lagwise.core.GtidSet;
import io.lagwise.core.NodeRole;
import io.lagwise.core.ReplicaSelector;
import io.lagwise.core.Ticker;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The routing decision alone, with no server: what Lagwise adds to each statement before the driver
 * runs it. One auto-commit {@code SELECT}: classification (warm cache), placement, the replica
 * choice among four (local, local backup, remote, remote backup) and the read-your-writes decision
 * for a session that wrote — in GTID mode (its token is on the replica) and in PIN mode (inside its
 * pin window: the master). Target: at most 100 ns and 0 B/op in both.
 *
 * <p>Run from the project root (about 1 minute, no servers):
 * <pre>
 * mvn -q -Pjmh -pl benchmarks -am verify -DskipTests -Djmh.args="RoutingDecisionBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RoutingDecisionBenchmark {

    static final String SELECT = "SELECT v FROM bench WHERE id = ?";

    @Param({"GTID", "PIN"})
    public ReadYourWritesMode mode;

    Cluster cluster;
    ConnectionState state;
    ConsistencySession session;
    ConsistencyToken token;

    @Setup
    public void setUp() {
        Ticker ticker = Ticker.system();
        Node master = node("master", NodeRole.MASTER, "oslo", false, ticker);
        Node oslo = node("oslo-1", NodeRole.REPLICA, "oslo", false, ticker);
        List<Node> replicas = List.of(oslo, node("oslo-2", NodeRole.REPLICA, "oslo", true, ticker),
                node("fra-1", NodeRole.REPLICA, "frankfurt", false, ticker),
                node("fra-2", NodeRole.REPLICA, "frankfurt", true, ticker));
        // A pin window far longer than the run: every PIN-mode read is inside it.
        cluster = new Cluster("bench", master, replicas, ReplicaSelector.preferLocal(), "oslo", ReadFallback.MASTER,
                new StatementClassifier(10_000), Consistency.READ_YOUR_WRITES, mode, Duration.ofMillis(50),
                Duration.ofHours(1), 2.0, ticker);
        state = new ConnectionState();
        session = cluster.sessions.current();
        GtidSet position = GtidSet.parse("0-1-1000");
        oslo.advance(position);
        session.observeWrite(mode == ReadYourWritesMode.PIN ? GtidSet.empty() : position, ticker.read());
        token = session.token();
    }

    private static Node node(String host, NodeRole role, String region, boolean backup, Ticker ticker) {
        return new Node(JdbcUrl.parse("jdbc:mariadb://" + host + ":3306/app"), role, region, backup, ticker);
    }

    /** Classification, placement, replica choice and the read decision of one auto-commit SELECT. */
    @Benchmark
    public Router.Route decide() throws SQLException {
        Router router = cluster.router;
        Router.Route placed = router.place(cluster.classifier.classify(SELECT), state);
        if (placed.target != Router.Target.READ) {
            return placed;
        }
        Consistency c = Router.effective(null, state.consistency, cluster.sessions.consistency(), cluster.consistency);
        Node candidate = router.candidate(null, null, session.lastReplica());
        return router.read(c, false, session.token(), session, candidate, false, cluster.ticker);
    }
}
