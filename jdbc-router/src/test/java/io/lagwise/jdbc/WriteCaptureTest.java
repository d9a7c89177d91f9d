package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Consistency;
import io.lagwise.core.NodeRole;
import io.lagwise.core.ReplicaSelector;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a write counts as committed and how its position reaches the session's token, without
 * servers: PIN mode needs no query, and the GTID paths here end before one (a server that is not
 * MariaDB, a connection that broke). The queries themselves are tested on servers.
 */
class WriteCaptureTest {

    final FakeTicker ticker = new FakeTicker();
    final Node master = new Node(JdbcUrl.parse("jdbc:mariadb://master:3306/app"), NodeRole.MASTER, "oslo", false, ticker);
    final Node replica = new Node(JdbcUrl.parse("jdbc:mariadb://oslo:3306/app"), NodeRole.REPLICA, "oslo", false, ticker);

    Cluster cluster(ReadYourWritesMode mode) {
        return new Cluster("test", master, List.of(replica), ReplicaSelector.preferLocal(), "oslo", ReadFallback.MASTER,
                new StatementClassifier(10), Consistency.READ_YOUR_WRITES, mode, Duration.ofMillis(50),
                Duration.ofMillis(100), 2.0, ticker);
    }

    final Cluster pin = cluster(ReadYourWritesMode.PIN);
    final ConsistencySession session = pin.sessions.current();
    final WriteCapture capture = new WriteCapture(pin);
    final Physical on = new Physical(master, null);

    @Test
    void anAutoCommitWrite_reachesTheToken_whenAnotherConnectionAsks() {
        capture.wrote(on, true);
        capture.executed(true, false, true);
        assertThat(session.pendingConnections()).isEqualTo(1);
        ticker.advance(Duration.ofMillis(5));
        assertThat(session.token().isEmpty()).as("handed off, no query on the writer's connection").isFalse();
        assertThat(session.lastWriteNanos).as("the write's own time, on the ticker").isEqualTo(ticker.read() - Duration.ofMillis(5).toNanos());
    }

    @Test
    void aWriteInATransaction_countsOnlyOnceCommitted() {
        capture.wrote(on, false);
        capture.executed(false, false, true);
        assertThat(session.token().isEmpty()).as("not committed yet").isTrue();
        capture.commit(true);
        assertThat(session.token().isEmpty()).isFalse();
    }

    @Test
    void aRolledBackTransaction_leavesNothing() {
        capture.wrote(on, false);
        capture.executed(false, false, true);
        capture.rollback();
        assertThat(session.pendingConnections()).isZero();
        assertThat(session.token().isEmpty()).isTrue();
    }

    @Test
    void anImplicitCommit_survivesALaterRollback() {
        capture.wrote(on, false);
        capture.executed(false, true, true); // CREATE TABLE inside the transaction committed it
        capture.rollback();
        assertThat(session.token().isEmpty()).isFalse();
    }

    @Test
    void earlierCommittedWrites_surviveTheRollbackOfALaterTransaction() {
        capture.wrote(on, true);
        capture.executed(true, false, true);
        capture.wrote(on, false);
        capture.executed(false, false, true);
        capture.rollback();
        assertThat(session.pendingConnections()).isEqualTo(1);
        assertThat(session.token().isEmpty()).isFalse();
    }

    @Test
    void abort_pinsTheSession() {
        capture.wrote(on, true);
        capture.executed(true, false, true);
        capture.abort();
        assertThat(session.pinnedUntilNanos - ticker.read()).isPositive();
        assertThat(session.pendingConnections()).isZero();
    }

    @Test
    void gtidMode_aBrokenConnection_defersToTheMastersPosition() {
        Cluster gtid = cluster(ReadYourWritesMode.GTID);
        WriteCapture c = new WriteCapture(gtid);
        ConsistencySession s = gtid.sessions.current();
        c.wrote(on, true);
        c.executed(true, false, true);
        c.lost(on);
        Physical replacement = new Physical(master, null);
        c.capture(replacement, false); // @@last_gtid on the new connection would not hold the write
        assertThat(s.hasDeferredWrite()).isTrue();
        assertThat(s.pendingConnections()).isZero();
    }

    @Test
    void gtidMode_aWriteOnAnotherConnectionBeforeCapture_defersToo() {
        Cluster gtid = cluster(ReadYourWritesMode.GTID);
        WriteCapture c = new WriteCapture(gtid);
        ConsistencySession s = gtid.sessions.current();
        c.wrote(on, true);
        c.executed(true, false, true);
        Physical second = new Physical(master, null);
        c.wrote(second, true); // the first connection was replaced
        c.executed(true, false, true);
        c.capture(second, false);
        assertThat(s.hasDeferredWrite()).isTrue();
    }

    @Test
    void gtidMode_closing_defersWithoutARoundTrip() {
        Cluster gtid = cluster(ReadYourWritesMode.GTID);
        WriteCapture c = new WriteCapture(gtid);
        c.wrote(on, true);
        c.executed(true, false, true);
        c.capture(on, true);
        assertThat(gtid.sessions.current().hasDeferredWrite()).isTrue();
    }

    @Test
    void gtidMode_onAMasterNotHeardYet_pins() {
        Cluster gtid = cluster(ReadYourWritesMode.GTID);
        master.dialect = null;
        WriteCapture c = new WriteCapture(gtid);
        ConsistencySession s = gtid.sessions.current();
        c.wrote(on, true);
        c.executed(true, false, true);
        c.capture(on, false);
        assertThat(s.hasDeferredWrite()).isFalse();
        assertThat(s.pinnedUntilNanos - ticker.read()).isPositive();
        assertThat(s.token().position().isEmpty()).isTrue();
        assertThat(s.token().isEmpty()).isFalse();
    }

    @Test
    void gtidMode_onMysql_defersToTheMastersExecutedSet_withoutAQueryOnTheWritersConnection() {
        Cluster gtid = cluster(ReadYourWritesMode.GTID);
        master.dialect = ServerDialect.MYSQL; // no @@last_gtid: @@gtid_executed holds the write
        WriteCapture c = new WriteCapture(gtid);
        ConsistencySession s = gtid.sessions.current();
        c.wrote(on, true);
        c.executed(true, false, true);
        c.capture(on, false);
        assertThat(s.hasDeferredWrite()).isTrue();
        assertThat(s.pinnedUntilNanos - ticker.read()).as("no pin: the position will be read").isNotPositive();
    }
}
