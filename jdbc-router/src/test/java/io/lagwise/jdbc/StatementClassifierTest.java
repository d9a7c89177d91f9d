package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StatementClassifierTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT * FROM orders WHERE id = ?                                   | READ
            select 1                                                            | READ
              /* a comment */ SELECT a FROM t                                   | READ
            -- line comment\\nSELECT 1                                          | READ
            (SELECT a FROM t) UNION (SELECT b FROM u)                           | READ
            WITH x AS (SELECT 1) SELECT * FROM x                                | READ
            SHOW TABLES                                                         | READ
            DESCRIBE orders                                                     | READ
            VALUES (1), (2)                                                     | READ
            SELECT @@server_id, @@read_only                                     | READ
            SELECT 'FOR UPDATE', "INTO", `update` FROM t                        | READ
            SELECT * FROM t /* FOR UPDATE */                                    | READ
            SELECT a FROM t WHERE b = 'it''s @x := 1'                           | READ
            SELECT * FROM t FOR UPDATE                                          | LOCKING_READ
            SELECT * FROM t FOR SHARE                                           | LOCKING_READ
            select * from t lock in share mode                                  | LOCKING_READ
            SELECT * FROM t WHERE id = 1 FOR UPDATE SKIP LOCKED                 | LOCKING_READ
            SELECT LAST_INSERT_ID()                                             | SESSION
            SELECT GET_LOCK('flyway', 10)                                       | SESSION
            SELECT RELEASE_LOCK('flyway')                                       | SESSION
            SELECT FOUND_ROWS()                                                 | LAST_USED
            SELECT ROW_COUNT()                                                  | LAST_USED
            SELECT @@warning_count                                              | LAST_USED
            SELECT @@identity                                                   | SESSION
            SELECT @@SESSION.last_insert_id                                     | SESSION
            SELECT @@last_gtid                                                  | SESSION
            SELECT 1;                                                           | READ
            SELECT 1; DELETE FROM t                                             | WRITE
            SHOW TABLES; DROP TABLE t                                           | WRITE
            SELECT 'a;b' FROM t                                                 | READ
            SELECT a INTO @x FROM t                                             | SESSION
            SELECT @x                                                           | SESSION
            SELECT @x := a FROM t                                               | SESSION
            SELECT * INTO OUTFILE '/tmp/x' FROM t                               | SESSION
            SELECT NEXTVAL(seq)                                                 | WRITE
            SELECT NEXT VALUE FOR seq                                           | WRITE
            WITH x AS (SELECT 1) UPDATE t SET a = 1                             | WRITE
            WITH x AS (SELECT 1) DELETE FROM t                                  | WRITE
            INSERT INTO t VALUES (1)                                            | WRITE
            update t set a = 1                                                  | WRITE
            DELETE FROM t                                                       | WRITE
            REPLACE INTO t VALUES (1)                                           | WRITE
            CREATE TABLE t (a INT)                                              | WRITE
            ALTER TABLE t ADD b INT                                             | WRITE
            CALL proc()                                                         | WRITE
            EXPLAIN ANALYZE SELECT 1                                            | WRITE
            ANALYZE TABLE t                                                     | WRITE
            /*!40101 SELECT 1 */                                                | WRITE
            SET NAMES utf8mb4                                                   | SESSION
            SET @x = 1                                                          | SESSION
            SET autocommit = 0                                                  | SESSION
            USE other                                                           | SESSION
            START TRANSACTION                                                   | SESSION
            BEGIN                                                               | SESSION
            LOCK TABLES t WRITE                                                 | SESSION
            CREATE TEMPORARY TABLE tmp (a INT)                                  | SESSION
            DROP TEMPORARY TABLE tmp                                            | SESSION
            SHOW WARNINGS                                                       | LAST_USED
            SHOW ERRORS                                                         | LAST_USED
            /* lagwise:master */ SELECT * FROM t                                | MASTER_HINT
            SELECT * FROM t /*  LAGWISE:MASTER  */                              | MASTER_HINT
            ''                                                                  | WRITE
            ;                                                                   | WRITE
            """)
    void classifies(String sql, StatementKind expected) {
        assertThat(StatementClassifier.classifyUncached(sql.replace("\\n", "\n")).kind()).isEqualTo(expected);
    }

    @Test
    void reads_countTheirPlaceholders_outsideLiteralsAndComments() {
        assertThat(StatementClassifier.classifyUncached("SELECT a FROM t WHERE b = ? AND c IN (?, ?)").parameters())
                .isEqualTo(3);
        assertThat(StatementClassifier.classifyUncached("SELECT '?', `?` /* ? */ FROM t WHERE b = ?").parameters())
                .isEqualTo(1);
        assertThat(StatementClassifier.classifyUncached("INSERT INTO t VALUES (?)").parameters())
                .as("writes never move, so their placeholders are not counted").isZero();
    }

    @Test
    void emptyString_isAWrite_theSafeSide() {
        assertThat(StatementClassifier.classifyUncached("").kind()).isEqualTo(StatementKind.WRITE);
        assertThat(StatementClassifier.classifyUncached("   ").kind()).isEqualTo(StatementKind.WRITE);
    }

    @Test
    void unterminatedLiteralOrComment_doesNotThrow() {
        assertThat(StatementClassifier.classifyUncached("SELECT 'abc").kind()).isEqualTo(StatementKind.READ);
        assertThat(StatementClassifier.classifyUncached("SELECT 1 /* open").kind()).isEqualTo(StatementKind.READ);
        assertThat(StatementClassifier.classifyUncached("SELECT `x").kind()).isEqualTo(StatementKind.READ);
    }

    @Test
    void classify_cachesPerText_andStaysBounded() {
        StatementClassifier classifier = new StatementClassifier(100);
        String sql = "SELECT * FROM t WHERE id = ?";
        assertThat(classifier.classify(sql)).isEqualTo(StatementKind.READ);
        assertThat(classifier.classify(sql)).isEqualTo(StatementKind.READ);
        for (int i = 0; i < 1000; i++) {
            classifier.classify("SELECT " + i);
        }
        assertThat(classifier.cachedEntries()).isLessThanOrEqualTo(100);
    }
}
