package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake driver itself, through a real HikariCP pool: what the routing tests rely on. */
class FakeServerTest {

    final FakeCluster fakes = new FakeCluster();
    final FakeServer master = fakes.master;

    @AfterEach
    void close() throws SQLException {
        fakes.close();
    }

    @Test
    void answersTheRoutersOwnQueries_andRecordsWhatRanOnWhichConnection() throws SQLException {
        Connection c = fakes.masterNode.borrow();
        try (Statement s = c.createStatement()) {
            assertThat(value(s, "SELECT @@last_gtid")).isEqualTo("0-1-5");
            assertThat(value(s, "SELECT @@gtid_binlog_pos")).isEqualTo("0-1-7");
            assertThat(value(s, "SELECT @@server_id")).isEqualTo("1");
            assertThat(value(s, "SELECT * FROM t")).isEqualTo("1");
            assertThat(s.executeUpdate("INSERT INTO t VALUES (1)")).isEqualTo(1);
        }
        master.waitResult = -1;
        try (PreparedStatement ps = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, ?)")) {
            ps.setString(1, "0-1-5");
            ps.setDouble(2, 0.05);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(-1);
                assertThat(rs.wasNull()).isFalse();
                assertThat(rs.next()).isFalse();
            }
        }
        assertThat(master.sqls()).containsExactly("SELECT @@last_gtid", "SELECT @@gtid_binlog_pos", "SELECT @@server_id",
                "SELECT * FROM t", "INSERT INTO t VALUES (1)", "SELECT MASTER_GTID_WAIT(?, ?)");
        assertThat(master.executed()).extracting(FakeServer.Executed::connection).containsOnly(1);
        assertThat(master.executed("SELECT MASTER_GTID_WAIT").get(0).parameters())
                .containsEntry(1, List.of("setString", "0-1-5")).containsEntry(2, List.of("setDouble", 0.05));
        fakes.masterNode.release(c);
    }

    @Test
    void failsTheNextMatchingStatementOnce_andHikariEvictsAConnectionClassFailure() throws SQLException {
        master.failNext("INSERT", FakeServer.linkFailure());
        Connection c = fakes.masterNode.borrow();
        try (Statement s = c.createStatement()) {
            assertThat(value(s, "SELECT 1")).isEqualTo("1");
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t VALUES (1)")).isInstanceOf(SQLException.class)
                    .hasMessage("Communications link failure");
        }
        assertThat(c.isClosed()).as("HikariCP dropped the broken connection").isTrue();
        fakes.masterNode.evict(c);
        Connection next = fakes.masterNode.borrow();
        try (Statement s = next.createStatement()) {
            assertThat(s.executeUpdate("INSERT INTO t VALUES (1)")).isEqualTo(1);
        }
        fakes.masterNode.release(next);
        assertThat(master.executed("INSERT")).extracting(FakeServer.Executed::connection).containsExactly(1, 2);
    }

    @Test
    void refusesConnections_whileToldTo() {
        master.refuseConnections = true;
        assertThatThrownBy(() -> fakes.masterNode.borrow()).isInstanceOf(SQLException.class)
                .hasRootCauseMessage("Connection refused");
        assertThat(fakes.masterNode.isDown()).isTrue();
    }

    @Test
    void aNodeMarkedDown_isBackOnlyWhenABorrowedConnectionProvesValid() throws SQLException {
        Node oslo1 = fakes.replicaNode(1);
        oslo1.release(oslo1.borrow()); // an idle connection the pool would hand out unchecked
        oslo1.markDown(FakeServer.linkFailure());
        fakes.ticker.advance(java.time.Duration.ofSeconds(1));
        fakes.replica(1).valid = false;

        assertThatThrownBy(oslo1::borrow).isInstanceOf(SQLException.class)
                .hasMessage("test: replica oslo-1:3306 (oslo) is still down");
        assertThat(oslo1.available()).as("the backoff doubled").isFalse();

        fakes.replica(1).valid = true;
        fakes.ticker.advance(java.time.Duration.ofSeconds(2));
        oslo1.release(oslo1.borrow());
        assertThat(oslo1.isDown()).isFalse();
    }

    static String value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
