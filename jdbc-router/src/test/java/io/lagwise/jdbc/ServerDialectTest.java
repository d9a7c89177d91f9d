package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The dialect a server speaks, from what it says its version is. */
class ServerDialectTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            10.11.19-MariaDB-0+deb12u1                  | MARIADB
            5.5.5-10.11.19-MariaDB-0+deb12u1            | MARIADB
            11.4.5-MariaDB                              | MARIADB
            8.0.31                                      | MYSQL
            8.0.22                                      | MYSQL
            8.0.21                                      | MYSQL_57
            8.4.3                                       | MYSQL
            9.1.0                                       | MYSQL
            5.7.44-log                                  | MYSQL_57
            5.6.51                                      | MYSQL_57
            """)
    void fromTheVersionString(String version, ServerDialect expected) {
        assertThat(ServerDialect.of(version)).isEqualTo(expected);
    }

    @Test
    void eachDialectSpeaksItsOwnSql() {
        assertThat(ServerDialect.MARIADB.waitForPosition).isEqualTo("SELECT MASTER_GTID_WAIT(?, ?)");
        assertThat(ServerDialect.MYSQL.waitForPosition).isEqualTo("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)");
        assertThat(ServerDialect.MYSQL.replicaStatus).isEqualTo("SHOW REPLICA STATUS");
        assertThat(ServerDialect.MYSQL.secondsBehindColumn).isEqualTo("Seconds_Behind_Source");
        assertThat(ServerDialect.MYSQL_57.replicaStatus).isEqualTo("SHOW SLAVE STATUS");
        assertThat(ServerDialect.MARIADB.lastGtid).isEqualTo("SELECT @@last_gtid");
        assertThat(ServerDialect.MYSQL.lastGtid).as("MySQL: the master's executed set stands in").isNull();
    }

    @Test
    void waits_areNeverZero_whichMysqlTakesAsForever() {
        assertThat(ServerDialect.waitSeconds(0)).isEqualTo(0.001);
        assertThat(ServerDialect.waitSeconds(50_000_000)).isEqualTo(0.05);
        assertThat(ServerDialect.applied(0, false)).isTrue();
        assertThat(ServerDialect.applied(0, true)).isFalse();
        assertThat(ServerDialect.applied(-1, false)).isFalse();
        assertThat(ServerDialect.applied(1, false)).isFalse();
        assertThatThrownBy(() -> ServerDialect.of((String) null)).isInstanceOf(IllegalArgumentException.class);
    }
}
