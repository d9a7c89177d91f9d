package io.lagwise.jdbc;

import static io.lagwise.jdbc.StatementKind.LAST_USED;
import static io.lagwise.jdbc.StatementKind.LOCKING_READ;
import static io.lagwise.jdbc.StatementKind.MASTER_HINT;
import static io.lagwise.jdbc.StatementKind.READ;
import static io.lagwise.jdbc.StatementKind.SESSION;
import static io.lagwise.jdbc.StatementKind.TRANSACTION_CONTROL;
import static io.lagwise.jdbc.StatementKind.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.lagwise.core.Consistency;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

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
            SELECT @@server_id                                                  | READ
            SELECT @@server_id, @@read_only                                     | LOCKING_READ
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
            EXPLAIN ANALYZE SELECT 1                                            | READ
            ANALYZE TABLE t                                                     | WRITE
            /*!40101 SELECT 1 */                                                | READ
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

    private static StatementKind kind(String sql) {
        return StatementClassifier.classifyUncached(sql).kind();
    }

    // ---- Executable comments: their content is SQL. ---------------------------------------------

    static Stream<Arguments> executableComments() {
        return Stream.of(
                arguments("/*!40103 SET TIME_ZONE='+00:00' */", SESSION),
                arguments("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;", SESSION),
                arguments("/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */", SESSION),
                arguments("/*M!100101 SET @OLD_NOTE_VERBOSITY=@@NOTE_VERBOSITY, NOTE_VERBOSITY=0 */", SESSION),
                arguments("/*!50003 SET sql_mode = '' */ ;", SESSION),
                arguments("/*! SET NAMES utf8mb4 */", SESSION),
                arguments("SELECT /*!40001 SQL_NO_CACHE */ * FROM t", READ),
                arguments("SELECT * FROM t /*!50000 FOR UPDATE */", LOCKING_READ),
                arguments("/*!40000 ALTER TABLE t DISABLE KEYS */", WRITE),
                arguments("SELECT /*+ MAX_EXECUTION_TIME(1000) */ a FROM t", READ),
                arguments("SELECT /*+ FOR UPDATE */ a FROM t", READ));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("executableComments")
    void executableComments_areClassifiedByTheirContent(String sql, StatementKind expected) {
        assertThat(kind(sql)).isEqualTo(expected);
    }

    @Test
    void executableComment_closesAndTheTextGoesOn() {
        assertThat(kind("/*!40101 SET NAMES utf8 */; DELETE FROM t")).isEqualTo(SESSION);
        assertThat(kind("SELECT a /*!99999 , b */ FROM t WHERE c = ?")).isEqualTo(READ);
        assertThat(StatementClassifier.classifyUncached("SELECT a /*!99999 , ? */ FROM t WHERE c = ?").parameters())
                .as("a placeholder in an executable comment is one to the server").isEqualTo(2);
    }

    // ---- SET STATEMENT … FOR, SET TRANSACTION. ------------------------------------------------------

    static Stream<Arguments> setForms() {
        return Stream.of(
                arguments("SET STATEMENT max_statement_time=1 FOR SELECT * FROM t", READ),
                arguments("set statement max_statement_time=1 for update t set a = 1", WRITE),
                arguments("SET STATEMENT optimizer_switch='mrr=on', join_cache_level=(6) FOR SELECT 1", READ),
                arguments("SET STATEMENT sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE' FOR INSERT INTO t VALUES (1)",
                        WRITE),
                arguments("SET STATEMENT max_statement_time=1 FOR SELECT * FROM t FOR UPDATE", LOCKING_READ),
                arguments("SET STATEMENT max_statement_time=1 FOR SELECT LAST_INSERT_ID()", SESSION),
                arguments("SET STATEMENT max_statement_time=1 FOR SHOW WARNINGS", LAST_USED),
                arguments("SET STATEMENT max_statement_time=1 FOR SET STATEMENT long_query_time=1 FOR SELECT 1", READ),
                arguments("SET TRANSACTION READ ONLY", TRANSACTION_CONTROL),
                arguments("set transaction isolation level read committed", TRANSACTION_CONTROL),
                arguments("SET TRANSACTION READ WRITE", TRANSACTION_CONTROL),
                arguments("SET SESSION TRANSACTION READ ONLY", SESSION),
                arguments("SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE", SESSION),
                arguments("SET TRANSACTION READ ONLY; DELETE FROM t", WRITE),
                arguments("SET time_zone = '+00:00'", SESSION),
                arguments("SET @x = (SELECT 1)", SESSION));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT GET_LOCK/**/('x', 1)                 | SESSION
            SELECT GET_LOCK /* a comment */ ('x', 1)    | SESSION
            SELECT LAST_INSERT_ID/**/()                 | SESSION
            SELECT NEXTVAL/* seq */(s)                  | WRITE
            SELECT GET_LOCK /* unclosed ('x', 1)        | READ
            """)
    void aCommentBetweenAFunctionAndItsParenthesis_hidesNothing(String sql, StatementKind expected) {
        assertThat(kind(sql)).isEqualTo(expected);
    }

    @Test
    void aLineCommentOrAnExecutableCommentBeforeAParenthesis_hidesNothing() {
        assertThat(kind("SELECT GET_LOCK -- x\n('flyway', 10)")).isEqualTo(SESSION);
        assertThat(kind("SELECT GET_LOCK #x\n('flyway', 10)")).isEqualTo(SESSION);
        assertThat(kind("SELECT GET_LOCK/*!*/('flyway', 10)")).isEqualTo(SESSION);
        assertThat(kind("SELECT LAST_INSERT_ID -- x\n()")).isEqualTo(SESSION);
        assertThat(kind("SELECT v FROM t -- GET_LOCK\n")).isEqualTo(READ);
    }

    @Test
    void transactionControlInSql_followsTheTransaction() {
        for (String sql : new String[] {"COMMIT", "COMMIT WORK", "ROLLBACK", "ROLLBACK TO SAVEPOINT s", "SAVEPOINT s", "RELEASE SAVEPOINT s", "SET TRANSACTION READ ONLY"}) {
            assertThat(kind(sql)).as(sql).isEqualTo(TRANSACTION_CONTROL);
        }
        assertThat(kind("BEGIN")).isEqualTo(SESSION);
        assertThat(kind("START TRANSACTION")).isEqualTo(SESSION);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void setForms(String sql, StatementKind expected) {
        assertThat(kind(sql)).isEqualTo(expected);
    }

    @Test
    void setStatement_countsTheInnerStatementsPlaceholders() {
        String sql = "SET STATEMENT max_statement_time=1 FOR SELECT a FROM t WHERE b = ?";
        assertThat(StatementClassifier.classifyUncached(sql).parameters()).isEqualTo(1);
    }

    // ---- Reads that depend on the server or on the session. ------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SHOW MASTER STATUS                                                  | LOCKING_READ
            SHOW BINARY LOGS                                                    | LOCKING_READ
            SHOW MASTER LOGS                                                    | LOCKING_READ
            SHOW BINLOG EVENTS IN 'mysql-bin.000001'                            | LOCKING_READ
            SHOW BINLOG STATUS                                                  | LOCKING_READ
            SHOW BINARY LOG STATUS                                              | LOCKING_READ
            show slave status                                                   | LOCKING_READ
            SHOW SLAVE 'other' STATUS                                           | LOCKING_READ
            SHOW ALL SLAVES STATUS                                              | LOCKING_READ
            SHOW REPLICA STATUS                                                 | LOCKING_READ
            SHOW SLAVE HOSTS                                                    | LOCKING_READ
            SHOW REPLICAS                                                       | LOCKING_READ
            SHOW RELAYLOG EVENTS                                                | LOCKING_READ
            SELECT @@gtid_binlog_pos                                            | LOCKING_READ
            SELECT @@gtid_current_pos                                           | LOCKING_READ
            SELECT @@global.gtid_executed                                       | LOCKING_READ
            SELECT @@GTID_PURGED                                                | LOCKING_READ
            SELECT @@read_only                                                  | LOCKING_READ
            SELECT @@super_read_only, @@server_id                               | LOCKING_READ
            SELECT @@server_id                                                  | READ
            SELECT @@hostname, @@version                                        | READ
            SHOW STATUS                                                         | LAST_USED
            SHOW SESSION STATUS LIKE 'Handler%'                                 | LAST_USED
            SHOW LOCAL STATUS                                                   | LAST_USED
            SHOW PROFILES                                                       | LAST_USED
            SHOW PROFILE CPU FOR QUERY 2                                        | LAST_USED
            SHOW VARIABLES LIKE 'sql_mode'                                      | LAST_USED
            SHOW SESSION VARIABLES                                              | LAST_USED
            SHOW GLOBAL STATUS                                                  | READ
            SHOW GLOBAL VARIABLES LIKE 'read_only'                              | READ
            SHOW /*!50002 GLOBAL */ STATUS                                      | READ
            SHOW TABLE STATUS                                                   | READ
            SHOW CREATE TABLE t                                                 | READ
            """)
    void serverAndSessionDependentReads(String sql, StatementKind expected) {
        assertThat(kind(sql)).isEqualTo(expected);
    }

    // ---- EXPLAIN, DESCRIBE, ANALYZE. ---------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            DESC ANALYZE UPDATE t SET a = 1                                     | WRITE
            EXPLAIN ANALYZE UPDATE t SET a = 1                                  | WRITE
            EXPLAIN ANALYZE DELETE FROM t                                       | WRITE
            EXPLAIN ANALYZE INSERT INTO t VALUES (1)                            | WRITE
            EXPLAIN ANALYZE REPLACE INTO t VALUES (1)                           | WRITE
            EXPLAIN ANALYZE FORMAT=TREE SELECT * FROM t                         | READ
            ANALYZE UPDATE t SET a = 1                                          | WRITE
            ANALYZE FORMAT=JSON DELETE FROM t                                   | WRITE
            ANALYZE SELECT * FROM t                                             | READ
            ANALYZE FORMAT=JSON SELECT * FROM t                                 | READ
            ANALYZE TABLE t                                                     | WRITE
            ANALYZE NO_WRITE_TO_BINLOG TABLE t                                  | WRITE
            EXPLAIN SELECT * FROM t                                             | READ
            explain format=json select * from t where a = 1                     | READ
            EXPLAIN EXTENDED SELECT 1                                           | READ
            DESCRIBE SELECT * FROM t                                            | READ
            EXPLAIN TABLE t                                                     | READ
            DESC t                                                              | READ
            DESCRIBE t a                                                        | READ
            EXPLAIN t                                                           | READ
            EXPLAIN UPDATE t SET a = 1                                          | WRITE
            EXPLAIN SELECT * FROM t FOR UPDATE                                  | LOCKING_READ
            EXPLAIN FOR CONNECTION 12                                           | LOCKING_READ
            EXPLAIN SELECT 1; DELETE FROM t                                     | WRITE
            EXPLAIN FORMAT="TRADITIONAL" UPDATE t SET a = 1                     | WRITE
            EXPLAIN FORMAT=JSON INTO @plan SELECT * FROM t                      | SESSION
            """)
    void explainDescribeAndAnalyze(String sql, StatementKind expected) {
        assertThat(kind(sql)).isEqualTo(expected);
    }

    // ---- Backslashes: both sql_modes. --------------------------------------------------------------

    @Test
    void backslashInALiteral_underNoBackslashEscapes_doesNotHideAWrite() {
        assertThat(kind("SELECT 'C:\\' AS p; DELETE FROM t")).isEqualTo(WRITE);
        assertThat(kind("SELECT \"C:\\\" AS p FROM t FOR UPDATE")).isEqualTo(LOCKING_READ);
    }

    @Test
    void backslashInALiteral_readTheSameEitherWay_staysARead() {
        StatementClassifier.Classification c = StatementClassifier.classifyUncached(
                "SELECT 'it\\'s', 'a\\\\b' FROM t WHERE c = ?");
        assertThat(c.kind()).isEqualTo(READ);
        assertThat(c.parameters()).isEqualTo(1);
    }

    @Test
    void backslashInALiteral_placeholdersComeFromTheStrongerReading() {
        // With escapes: one literal to the last quote, no placeholder. Without: a locking read with one.
        StatementClassifier.Classification c = StatementClassifier.classifyUncached(
                "SELECT a FROM t WHERE b = '\\' AND c = ? FOR UPDATE -- '");
        assertThat(c.kind()).isEqualTo(LOCKING_READ);
        assertThat(c.parameters()).isEqualTo(1);
        StatementClassifier.Classification escaping = StatementClassifier.classifyUncached(
                "SELECT a FROM t WHERE b = 'x\\'' AND c = ?");
        assertThat(escaping.parameters()).as("a tie keeps the escaping reading's count").isEqualTo(1);
    }

    // ---- Hints: from comments only. ----------------------------------------------------------------

    static Stream<Arguments> hints() {
        return Stream.of(
                arguments("/* lagwise:eventual */ SELECT 1", Consistency.EVENTUAL),
                arguments("/*lagwise:eventual*/ SELECT 1", Consistency.EVENTUAL),
                arguments("/* LAGWISE:STRONG */ SELECT 1", Consistency.STRONG),
                arguments("SELECT 1 /*  Lagwise:Read-Your-Writes  */", Consistency.READ_YOUR_WRITES),
                arguments("SELECT 1 -- lagwise:eventual", Consistency.EVENTUAL),
                arguments("-- lagwise:strong\nSELECT 1", Consistency.STRONG),
                arguments("SELECT 1 # lagwise:read-your-writes", Consistency.READ_YOUR_WRITES),
                arguments("#lagwise:eventual\r\nSELECT 1", Consistency.EVENTUAL),
                arguments("/* lagwise:strong */ /* lagwise:eventual */ SELECT 1", Consistency.STRONG),
                arguments("SELECT * FROM t WHERE note = 'lagwise:eventual'", null),
                arguments("SELECT * FROM t WHERE note = \"/* lagwise:eventual */\"", null),
                arguments("SELECT `lagwise:strong` FROM t", null),
                arguments("SELECT 1 /* lagwise:eventual please */", null),
                arguments("SELECT 1 --lagwise:eventual", null),
                arguments("SELECT 1 /*!99999 lagwise:eventual */", null),
                arguments("SELECT 1", null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void hints(String sql, Consistency expected) {
        assertThat(StatementClassifier.classifyUncached(sql).consistency()).isEqualTo(expected);
        assertThat(StatementClassifier.consistencyHint(sql)).isEqualTo(expected);
    }

    static Stream<Arguments> masterHints() {
        return Stream.of(
                arguments("SELECT 1 -- lagwise:master", MASTER_HINT),
                arguments("# lagwise:master\nSELECT 1", MASTER_HINT),
                arguments("SELECT 1 #LAGWISE:MASTER", MASTER_HINT),
                arguments("SHOW TABLES /* lagwise:master */", MASTER_HINT),
                arguments("/* lagwise:master */ CALL proc()", MASTER_HINT),
                arguments("/* lagwise:master */ INSERT INTO t VALUES (1)", MASTER_HINT),
                arguments("/* lagwise:master */ SELECT 1; DELETE FROM t", MASTER_HINT),
                arguments("/* lagwise:master */ CREATE TEMPORARY TABLE tmp (a INT)", SESSION),
                arguments("/* lagwise:master */ SET time_zone = '+00:00'", SESSION),
                arguments("SELECT * FROM t WHERE note = '/* lagwise:master */'", READ),
                arguments("SELECT * FROM t WHERE note = 'lagwise:master'", READ),
                arguments("SELECT a FROM t /*!99999 lagwise:master */", READ));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void masterHints(String sql, StatementKind expected) {
        assertThat(kind(sql)).isEqualTo(expected);
    }

    @Test
    void mentionsLagwise_findsTheWordInAnyCase() {
        assertThat(StatementClassifier.mentionsLagwise("select 1 /* LaGwIsE:master */")).isTrue();
        assertThat(StatementClassifier.mentionsLagwise("lagwise")).isTrue();
        assertThat(StatementClassifier.mentionsLagwise("SELECT lagwis")).isFalse();
        assertThat(StatementClassifier.mentionsLagwise("")).isFalse();
    }

    // ---- Implicit commits. -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            CREATE TABLE t (a INT)                                              | true
            create table t2 like t                                              | true
            CREATE OR REPLACE TABLE t (a INT)                                   | true
            ALTER TABLE t ADD b INT                                             | true
            DROP TABLE t                                                        | true
            RENAME TABLE a TO b                                                 | true
            TRUNCATE TABLE t                                                    | true
            TRUNCATE t                                                          | true
            CREATE VIEW v AS SELECT 1                                           | true
            CREATE DATABASE d                                                   | true
            DROP SCHEMA d                                                       | true
            CREATE INDEX i ON t (a)                                             | true
            DROP INDEX i ON t                                                   | true
            CREATE PROCEDURE p() SELECT 1                                       | true
            CREATE DEFINER = CURRENT_USER FUNCTION f() RETURNS INT RETURN 1     | true
            CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1     | true
            CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t             | true
            ALTER EVENT e DISABLE                                               | true
            CREATE USER u                                                       | true
            DROP USER u                                                         | true
            RENAME USER a TO b                                                  | true
            CREATE SEQUENCE s                                                   | true
            DROP SEQUENCE s                                                     | true
            CREATE TEMPORARY SEQUENCE s                                         | true
            LOCK TABLES t WRITE                                                 | true
            UNLOCK TABLES                                                       | true
            BEGIN                                                               | true
            START TRANSACTION READ ONLY                                         | true
            GRANT SELECT ON d.* TO u                                            | true
            REVOKE SELECT ON d.* FROM u                                         | true
            SET PASSWORD FOR u = PASSWORD('x')                                  | true
            SET DEFAULT ROLE r FOR u                                            | true
            ANALYZE TABLE t                                                     | true
            OPTIMIZE TABLE t                                                    | true
            REPAIR TABLE t                                                      | true
            CHECK TABLE t                                                       | true
            LOAD INDEX INTO CACHE t                                             | true
            CACHE INDEX t IN hot                                                | true
            FLUSH TABLES                                                        | true
            RESET QUERY CACHE                                                   | true
            INSTALL PLUGIN p SONAME 'p.so'                                      | true
            UNINSTALL PLUGIN p                                                  | true
            SET autocommit = 1                                                  | true
            SET autocommit=ON                                                   | true
            set @@autocommit := true                                            | true
            SET SESSION autocommit = DEFAULT                                    | true
            SET @@session.autocommit = 1, sql_mode = ''                         | true
            SET autocommit = @saved                                             | true
            CALL p()                                                            | true
            SET STATEMENT lock_wait_timeout=5 FOR ALTER TABLE t ENGINE=InnoDB   | true
            /*!40000 ALTER TABLE t DISABLE KEYS */                              | true
            SELECT 1; CREATE TABLE t (a INT)                                    | true
            CREATE TEMPORARY TABLE tmp (a INT)                                  | false
            CREATE OR REPLACE TEMPORARY TABLE tmp (a INT)                       | false
            DROP TEMPORARY TABLE IF EXISTS tmp                                  | false
            SET autocommit = 0                                                  | false
            SET autocommit=OFF                                                  | false
            SET @@session.autocommit = FALSE                                    | false
            SELECT @@autocommit                                                 | false
            SET NAMES utf8mb4                                                   | false
            SET TRANSACTION READ ONLY                                           | false
            SET @x = 1                                                          | false
            SELECT * FROM t                                                     | false
            INSERT INTO t VALUES (1)                                            | false
            UPDATE t SET a = 1                                                  | false
            DELETE FROM t                                                       | false
            LOAD DATA INFILE 'x' INTO TABLE t                                   | false
            COMMIT                                                              | true
            COMMIT WORK                                                         | true
            XA COMMIT 'x'                                                       | true
            ROLLBACK                                                            | true
            SAVEPOINT s                                                         | false
            SHOW CREATE TABLE t                                                 | false
            ANALYZE SELECT 1                                                    | false
            EXPLAIN SELECT 1                                                    | false
            SELECT a FROM t WHERE b = 1 /* CREATE TABLE x */                    | false
            ''                                                                  | false
            """)
    void implicitCommit(String sql, boolean expected) {
        assertThat(StatementClassifier.classifyUncached(sql).implicitCommit()).isEqualTo(expected);
    }

    @Test
    void implicitCommit_inALiteral_isNotOne() {
        assertThat(StatementClassifier.classifyUncached("SELECT 'CREATE TABLE x', \"DROP TABLE y\"").implicitCommit())
                .isFalse();
        assertThat(StatementClassifier.classifyUncached("SET @x = 'autocommit=1'").implicitCommit()).isFalse();
        assertThat(StatementClassifier.classifyUncached("SET autocommit = '0'").implicitCommit()).isFalse();
    }

    // ---- Batches. ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "strongest({0}, {1}) = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            READ         | READ         | READ
            READ         | LOCKING_READ | LOCKING_READ
            LOCKING_READ | MASTER_HINT  | MASTER_HINT
            MASTER_HINT  | READ         | MASTER_HINT
            MASTER_HINT  | WRITE        | WRITE
            READ         | WRITE        | WRITE
            WRITE        | SESSION      | SESSION
            SESSION      | WRITE        | SESSION
            SESSION      | MASTER_HINT  | SESSION
            LAST_USED    | READ         | READ
            READ         | LAST_USED    | READ
            LAST_USED    | WRITE        | WRITE
            LAST_USED    | LAST_USED    | LAST_USED
            """)
    void strongest_ranksABatchsStatements(StatementKind a, StatementKind b, StatementKind expected) {
        assertThat(StatementClassifier.strongest(a, b)).isEqualTo(expected);
        assertThat(StatementClassifier.strongest(b, a)).as("order does not matter").isEqualTo(expected);
    }

    @Test
    void strongest_overABatch_keepsSessionStateOnTheMaster() {
        StatementClassifier classifier = new StatementClassifier(100);
        StatementKind kind = READ;
        for (String sql : new String[] {"INSERT INTO t VALUES (1)", "SET time_zone = '+00:00'", "SHOW WARNINGS"}) {
            kind = StatementClassifier.strongest(kind, classifier.classify(sql));
        }
        assertThat(kind).isEqualTo(SESSION);
        assertThat(StatementClassifier.strongest(
                classifier.classify("CREATE TEMPORARY TABLE tmp (a INT)"), classifier.classify("DELETE FROM t")))
                .isEqualTo(SESSION);
    }

    @Test
    void severalStatements_holdingSessionState_areSession() {
        assertThat(kind("SELECT 1; SET time_zone = '+00:00'")).isEqualTo(SESSION);
        assertThat(kind("SELECT 1;; SELECT 2")).isEqualTo(WRITE);
        assertThat(kind("SELECT 1; -- done")).isEqualTo(READ);
    }
}
