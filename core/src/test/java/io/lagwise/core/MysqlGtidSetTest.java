package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MySQL GTID sets behind {@link GtidSet}: parsing, comparing, merging, subtracting, tokens. */
class MysqlGtidSetTest {

    static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    static final String B = "4d2b6ef5-ecdb-11f1-aa8e-02fc00000001";

    static GtidSet set(String s) {
        return GtidSet.parse(s);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5                                     | 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5
            3e11fa47-71ca-11e1-9e33-c80aa9429562:7                                       | 3e11fa47-71ca-11e1-9e33-c80aa9429562:7
            3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5                                     | 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5
            3e11fa47-71ca-11e1-9e33-c80aa9429562:11-18:1-5                               | 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:6-9:3-4                             | 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9
            4d2b6ef5-ecdb-11f1-aa8e-02fc00000001:1-3,3e11fa47-71ca-11e1-9e33-c80aa9429562:2 | 3e11fa47-71ca-11e1-9e33-c80aa9429562:2,4d2b6ef5-ecdb-11f1-aa8e-02fc00000001:1-3
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2,3e11fa47-71ca-11e1-9e33-c80aa9429562:3 | 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3
            """)
    void parse_givesTheCanonicalForm(String text, String canonical) {
        GtidSet s = set(text);
        assertThat(s.isMysql()).isTrue();
        assertThat(s.toString()).isEqualTo(canonical);
        assertThat(set(s.toString())).isEqualTo(s);
    }

    @Test
    void parse_acceptsWhatServersPrintAfterACommma() {
        assertThat(set(A + ":1-5,\n" + B + ":1-3").toString()).isEqualTo(A + ":1-5," + B + ":1-3");
        assertThat(set(A + ":1-5, " + B + ":1-3").size()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            3e11fa47-71ca-11e1-9e33-c80aa9429562:                      | an interval is missing
            3e11fa47-71ca-11e1-9e33-c80aa9429562:0                     | transaction numbers start at 1
            3e11fa47-71ca-11e1-9e33-c80aa9429562:01                    | transaction numbers start at 1
            3e11fa47-71ca-11e1-9e33-c80aa9429562:5-3                   | an interval ends before it starts
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-x                   | not a decimal number
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-99999999999999999999 | out of range
            3e11fa47-71ca-11e1-9e33-c80aa9429562:mytag:1-3             | tagged gtids (uuid:tag:n) are not supported
            3e11fa47-71ca-11e1-9e33:1-3                                | expected a server uuid of 36 characters
            3e11fa47x71ca-11e1-9e33-c80aa9429562:1-3                   | not a server uuid
            3e11fa47-71ca-11e1-9e33-c80aa942956g:1-3                   | not a server uuid
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3,                  | an empty entry
            """)
    void parse_isStrict(String text, String message) {
        assertThatThrownBy(() -> set(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void parse_isBounded() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= GtidSet.MAX_DOMAINS; i++) {
            many.append(i == 0 ? "" : ",").append(String.format("%08x-0000-0000-0000-000000000000:1", i));
        }
        assertThatThrownBy(() -> set(many.toString())).hasMessageContaining("more than 64 server uuids");
        String longText = A + ":1" + ":3".repeat(GtidSet.MAX_LENGTH);
        assertThatThrownBy(() -> set(longText)).hasMessageContaining("longer than " + GtidSet.MAX_LENGTH);
    }

    @Test
    void isAtLeast_coversEveryTransactionOfTheOther() {
        GtidSet replica = set(A + ":1-100," + B + ":1-5:7-9");
        assertThat(replica.isAtLeast(set(A + ":100"))).isTrue();
        assertThat(replica.isAtLeast(set(A + ":1-100"))).isTrue();
        assertThat(replica.isAtLeast(set(A + ":101"))).isFalse();
        assertThat(replica.isAtLeast(set(B + ":6"))).as("a gap").isFalse();
        assertThat(replica.isAtLeast(set(B + ":5-7"))).as("across a gap").isFalse();
        assertThat(replica.isAtLeast(set(B + ":7-9"))).isTrue();
        assertThat(replica.isAtLeast(set("4d2b6ef5-ecdb-11f1-aa8e-02fc00000002:1"))).as("an unknown source").isFalse();
        assertThat(replica.isAtLeast(GtidSet.empty())).isTrue();
        assertThat(GtidSet.empty().isAtLeast(replica)).isFalse();
    }

    @Test
    void union_andSubtract() {
        GtidSet a = set(A + ":1-5:11-18");
        GtidSet b = set(A + ":6-10," + B + ":1-3");
        GtidSet u = a.union(b);
        assertThat(u.toString()).isEqualTo(A + ":1-18," + B + ":1-3");
        assertThat(u.isAtLeast(a)).isTrue();
        assertThat(u.isAtLeast(b)).isTrue();
        assertThat(u.subtract(a).toString()).isEqualTo(A + ":6-10," + B + ":1-3");
        assertThat(u.subtract(set(A + ":3-12")).toString()).isEqualTo(A + ":1-2:13-18," + B + ":1-3");
        assertThat(a.subtract(u)).isEqualTo(GtidSet.empty());
        assertThat(a.subtract(GtidSet.empty())).isSameAs(a);
        assertThat(set(A + ":1-" + Long.MAX_VALUE).subtract(set(A + ":5")).toString()).isEqualTo(A + ":1-4:6-" + Long.MAX_VALUE);
        assertThat(a.union(GtidSet.empty())).isSameAs(a);
        assertThat(GtidSet.empty().union(a)).isSameAs(a);
    }

    @Test
    void mysqlAndMariaDbNeverMix() {
        GtidSet mysql = set(A + ":1-5");
        GtidSet mariadb = set("0-1-207");
        assertThat(mariadb.isMysql()).isFalse();
        assertThatThrownBy(() -> mysql.isAtLeast(mariadb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a MySQL gtid set and a MariaDB gtid position cannot be compared or merged (MySQL here, MariaDB given): a position from another kind of cluster");
        assertThatThrownBy(() -> mariadb.union(mysql)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(MariaDB here, MySQL given)");
        assertThatThrownBy(() -> mariadb.subtract(GtidSet.empty())).hasMessage("subtract is for MySQL gtid sets, not MariaDB positions");
        assertThatThrownBy(() -> mysql.sequence(0)).hasMessageContaining("sequence(domain) is for MariaDB positions");
    }

    @Test
    void tokens_carryMysqlSets_andRefuseTheOtherKind() {
        ConsistencyToken t = ConsistencyToken.of(set(A + ":1-5," + B + ":7"), 1_764_067_200_000L);
        String exported = t.export();
        assertThat(exported).isEqualTo("lw1.1764067200000." + A + ":1-5," + B + ":7");
        assertThat(ConsistencyToken.parse(exported)).isEqualTo(t);
        ConsistencyToken maria = ConsistencyToken.of(set("0-1-207"), 1_764_067_200_001L);
        assertThatThrownBy(() -> t.merge(maria)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another kind of cluster");
    }

    @Test
    void equalSets_areEqual_whateverTheirText() {
        assertThat(set(A + ":1-3:4-5")).isEqualTo(set(A.toUpperCase() + ":1-5")).hasSameHashCodeAs(set(A + ":1-5"));
        assertThat(set(A + ":1-5")).isNotEqualTo(set(A + ":1-6"));
    }
}
