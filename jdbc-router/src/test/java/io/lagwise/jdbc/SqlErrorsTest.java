package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void connectionStatesAndTypes_areConnectionProblems() {
        assertThat(SqlErrors.isConnectionProblem(new SQLException("gone", "08S01"))).isTrue();
        assertThat(SqlErrors.isConnectionProblem(new SQLNonTransientConnectionException("x"))).isTrue();
        assertThat(SqlErrors.isConnectionProblem(new SQLTransientConnectionException("pool timeout"))).isTrue();
        assertThat(SqlErrors.isConnectionProblem(new SQLException("wrapped", "HY000", new java.net.SocketException("Connection reset")))).isTrue();
        assertThat(SqlErrors.isConnectionProblem(new SQLException("wrapped", "HY000", new java.net.SocketTimeoutException("Read timed out")))).isTrue();
        assertThat(SqlErrors.isConnectionProblem(new SQLException("wrapped", null, new IOException("reset")))).isTrue();
        assertThat(SqlErrors.isConnectionProblem(new SQLException("eof", "HY000", new java.io.EOFException()))).isTrue();
    }

    @Test
    void mariaDbsCatchAllConnectionType_withAStatementsOwnState_isNot() {
        // MariaDB Connector/J: SQLTransientConnectionException for any state class it does not know
        assertThat(SqlErrors.isConnectionProblem(new SQLTransientConnectionException("signalled", "45000", 1644))).isFalse();
        assertThat(SqlErrors.isConnectionProblem(new SQLTransientConnectionException("Packet too big", "HZ000", new IOException("too big")))).isFalse();
        assertThat(SqlErrors.isConnectionProblem(new SQLNonTransientConnectionException("gone", "08000"))).isTrue();
    }

    @Test
    void statementErrors_areNot() {
        assertThat(SqlErrors.isConnectionProblem(new SQLSyntaxErrorException("bad sql", "42000"))).isFalse();
        assertThat(SqlErrors.isConnectionProblem(new SQLException("duplicate key", "23000"))).isFalse();
        assertThat(SqlErrors.isConnectionProblem(new SQLException("no state"))).isFalse();
    }

    @Test
    void describe_givesTheRootCause_withPasswordsMasked() {
        SQLException e = new SQLTransientConnectionException("pool timed out", "08001",
                new SQLException("Access denied for user 'app'@'127.0.0.1' (using password: YES)"));
        assertThat(SqlErrors.describe(e)).isEqualTo("Access denied for user 'app'@'127.0.0.1' (using password: YES)");
        assertThat(SqlErrors.describe(new SQLException("bad url jdbc:mysql://u:Hunter2@h/db?password=Hunter2&x=1")))
                .isEqualTo("bad url jdbc:mysql://u:***@h/db?password=***&x=1");
    }
}
