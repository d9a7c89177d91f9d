package io.lagwise.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lagwise.core.Consistency;
import java.util.Set;

/**
 * Decides what a SQL text is — a plain read, a locking read, a write, a session-state statement —
 * so that an auto-commit statement can be routed, and whether it commits an open transaction
 * implicitly. Results are cached per SQL text: applications run the same few hundred statements
 * millions of times.
 *
 * <p>The scan is a small lexer, not a parser. It skips string literals, quoted identifiers and
 * comments, reads the first keyword of each statement, and for queries looks for the markers that
 * make a read unsafe on a replica: lock clauses, {@code INTO}, user variables, functions that touch
 * session or server state ({@code LAST_INSERT_ID()}, {@code GET_LOCK()}, sequences…) and system
 * variables whose value depends on the server that answers ({@code @@gtid_binlog_pos},
 * {@code @@read_only}…). When in doubt it says {@link StatementKind#WRITE}: a read sent to the master
 * costs a little; a write sent to a replica is an error, and a session read on the wrong server is a
 * wrong answer. What it cannot see — a stored function that writes, called from a {@code SELECT} —
 * needs the {@code /* lagwise:master *}{@code /} hint; replicas are {@code read_only}, so such a
 * mistake fails rather than diverges.
 *
 * <p>What the lexer knows of MySQL/MariaDB syntax:
 * <ul>
 *   <li>Executable comments ({@code /*!…}, {@code /*!40101 …}, {@code /*M!100101 …}) are SQL to the
 *       server, so their opener and closing {@code *}{@code /} are transparent and their content is
 *       lexed as SQL, whatever the version number: mysqldump's {@code /*!40103 SET TIME_ZONE=… *}{@code /}
 *       is a {@code SET}. Any other comment, {@code /*+ optimizer hints *}{@code /} included, is a
 *       comment.</li>
 *   <li>Several statements in one text ({@code allowMultiQueries}) are each classified: the text is
 *       at least a {@link StatementKind#WRITE}, a {@link StatementKind#SESSION} if one of them is.</li>
 *   <li>Whether {@code \} escapes inside a quoted literal depends on the server's
 *       {@code NO_BACKSLASH_ESCAPES} sql_mode, which the classifier cannot know. A text whose
 *       literals hold a backslash is classified both ways and the stronger result wins
 *       ({@code READ < LOCKING_READ, LAST_USED < SESSION < WRITE, MASTER_HINT}): a write is never
 *       taken for a read whatever the mode.</li>
 *   <li>Hints come from comments only — {@code /* … *}{@code /}, {@code -- …} and {@code # …} to the end
 *       of the line — whose whole text, case-insensitive and trimmed, is one of
 *       {@code lagwise:master}, {@code lagwise:eventual}, {@code lagwise:read-your-writes},
 *       {@code lagwise:strong}. A hint word in a literal or a quoted identifier is data, and the text of
 *       an executable comment is SQL to the server: {@code /*!99999 lagwise:master *}{@code /} is not a
 *       hint. The first consistency hint of a
 *       text wins. {@code lagwise:master} makes any statement but a {@link StatementKind#SESSION} one
 *       a {@link StatementKind#MASTER_HINT}; a session statement keeps its kind, which already holds
 *       the connection on the master.</li>
 * </ul>
 *
 * <p>The cache is bounded by weight, not by count: an entry weighs its text's length in chars, at
 * least {@value #AVERAGE_LENGTH}, and the cache holds {@code maximumSize ×} {@value #AVERAGE_LENGTH}
 * weight. So it keeps at most {@code maximumSize} texts (all of them when they are short), and at
 * most {@code maximumSize ×} {@value #AVERAGE_LENGTH} chars of SQL whatever their lengths: at the
 * default 10,000 that is 2.56 million chars, a few MB with the entries' own overhead. Texts longer
 * than {@value #MAX_CACHED_LENGTH} chars are not cached at all.
 */
final class StatementClassifier {

    static final String MASTER_HINT = "lagwise:master";
    /** Longer SQL texts are classified every time, not cached: they are one-offs (literal bulk inserts). */
    static final int MAX_CACHED_LENGTH = 4096;
    /** The weight budget of one cached text, in chars; also the least an entry weighs. */
    static final int AVERAGE_LENGTH = 256;

    private static final Set<String> SESSION_STARTS = Set.of("USE", "LOCK", "UNLOCK", "PREPARE", "EXECUTE",
            "DEALLOCATE", "BEGIN", "START", "XA", "HANDLER", "RESET",
            "DO", "GET");
    /** About the transaction of the server session they run in: they follow it ({@code COMMIT} in SQL…). */
    private static final Set<String> TRANSACTION_CONTROL_STARTS = Set.of("COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE");
    /**
     * First words of statements that commit an open transaction implicitly, or may: {@code CALL} and
     * {@code EXECUTE} run statements this classifier cannot see; an SQL {@code COMMIT} (or {@code ROLLBACK},
     * {@code XA …}) ends the transaction, and counting a rolled-back write as committed only keeps it in
     * a token a little longer. {@code CREATE}, {@code DROP},
     * {@code ANALYZE}, {@code LOAD} and {@code SET} are decided on their next words.
     */
    private static final Set<String> COMMITTING_STARTS = Set.of("ALTER", "RENAME", "TRUNCATE", "GRANT", "REVOKE",
            "FLUSH", "OPTIMIZE", "REPAIR", "CHECK", "CACHE", "INSTALL", "UNINSTALL", "SHUTDOWN", "RESTART", "CHANGE",
            "STOP", "START", "BEGIN", "LOCK", "UNLOCK", "RESET", "IMPORT", "BACKUP", "CLONE", "CALL", "EXECUTE",
            "COMMIT", "ROLLBACK", "XA");
    /** Statements {@code EXPLAIN}, {@code DESCRIBE} and MariaDB's {@code ANALYZE} can wrap. */
    private static final Set<String> EXPLAINABLE = Set.of("SELECT", "WITH", "TABLE", "VALUES", "INSERT", "UPDATE",
            "DELETE", "REPLACE");
    private static final Set<String> SESSION_FUNCTIONS = Set.of("LAST_INSERT_ID", "GET_LOCK", "RELEASE_LOCK",
            "RELEASE_ALL_LOCKS", "IS_FREE_LOCK", "IS_USED_LOCK", "CONNECTION_ID");
    /** About the previous statement of the session: they must run where it ran. */
    private static final Set<String> LAST_STATEMENT_FUNCTIONS = Set.of("FOUND_ROWS", "ROW_COUNT");
    private static final Set<String> WRITING_FUNCTIONS = Set.of("NEXTVAL", "SETVAL", "LASTVAL");
    private static final Set<String> WRITES_IN_WITH = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE");

    private final Cache<String, Classification> cache;

    /**
     * What the classifier found. Cached, one per SQL text.
     *
     * @param kind how the statement is routed
     * @param parameters the number of {@code ?} placeholders, so that a statement that may move
     *     records its parameters in arrays of the right size; 0 for writes and hinted statements,
     *     which never move
     * @param consistency the text's consistency hint, or null
     * @param implicitCommit whether the statement commits an open transaction implicitly on
     *     MySQL/MariaDB (DDL but temporary tables, {@code LOCK}/{@code UNLOCK TABLES}, {@code BEGIN},
     *     {@code GRANT}, {@code ANALYZE TABLE}, {@code SET autocommit = 1}…), or may ({@code CALL}):
     *     when unsure it says true, as a false commit only keeps a write in a token longer
     */
    record Classification(StatementKind kind, int parameters, Consistency consistency, boolean implicitCommit) {

        Classification(StatementKind kind, int parameters, Consistency consistency) {
            this(kind, parameters, consistency, false);
        }

        Classification(StatementKind kind, int parameters) {
            this(kind, parameters, null, false);
        }
    }

    /** Shared classifications without parameters or hint, by kind and implicit commit. */
    private static final Classification[][] PLAIN = new Classification[StatementKind.values().length][2];

    static {
        for (StatementKind k : StatementKind.values()) {
            PLAIN[k.ordinal()][0] = new Classification(k, 0, null, false);
            PLAIN[k.ordinal()][1] = new Classification(k, 0, null, true);
        }
    }

    /**
     * @param maximumSize how many distinct SQL texts to remember at most; their total length is
     *     bounded by {@code maximumSize ×} {@value #AVERAGE_LENGTH} chars (see the class comment)
     */
    StatementClassifier(long maximumSize) {
        long maximumWeight = maximumSize > Long.MAX_VALUE / AVERAGE_LENGTH ? Long.MAX_VALUE
                : maximumSize * AVERAGE_LENGTH;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maximumWeight)
                .weigher((String sql, Classification c) -> Math.max(sql.length(), AVERAGE_LENGTH))
                .build();
    }

    /** The statement's kind, from the cache when this text was seen before. */
    StatementKind classify(String sql) {
        return classification(sql).kind();
    }

    /** The statement's classification, from the cache when this text was seen before. */
    Classification classification(String sql) {
        if (sql.length() > MAX_CACHED_LENGTH) {
            return classifyUncached(sql); // long texts are one-offs (literal bulk inserts): don't keep them
        }
        Classification c = cache.getIfPresent(sql);
        if (c == null) {
            c = classifyUncached(sql);
            cache.put(sql, c);
        }
        return c;
    }

    /**
     * Classifies a text, hints included. An empty text, or one of comments only, is a
     * {@link StatementKind#WRITE}: the safe side.
     */
    static Classification classifyUncached(String sql) {
        boolean hints = mentionsLagwise(sql);
        SqlLexer escaping = new SqlLexer(sql, true, hints);
        Classification c = classify(escaping);
        if (!escaping.backslashInLiteral) {
            return c;
        }
        // Under NO_BACKSLASH_ESCAPES the literals end elsewhere: classify that reading too, keep the stronger.
        Classification plain = classify(new SqlLexer(sql, false, hints));
        Classification stronger = rank(plain.kind()) > rank(c.kind()) ? plain : c;
        return of(stronger.kind(), stronger.parameters(), strongerHint(c.consistency(), plain.consistency()),
                c.implicitCommit() || plain.implicitCommit());
    }

    /**
     * The text's consistency hint ({@code /* lagwise:eventual *}{@code /},
     * {@code lagwise:read-your-writes}, {@code lagwise:strong}, in a comment), or null. Cheap when the
     * text does not mention {@code lagwise} at all.
     */
    static Consistency consistencyHint(String sql) {
        return mentionsLagwise(sql) ? classifyUncached(sql).consistency() : null;
    }

    /**
     * The strongest statement of a JDBC batch, to route the batch by: a {@link StatementKind#SESSION}
     * statement beats a {@link StatementKind#WRITE} (the session state it makes must keep the
     * connection on the master), a write beats a {@link StatementKind#MASTER_HINT}, which beats a
     * {@link StatementKind#LOCKING_READ}, which beats a {@link StatementKind#READ};
     * {@link StatementKind#LAST_USED} yields to any other kind.
     */
    static StatementKind strongest(StatementKind a, StatementKind b) {
        return batchRank(b) > batchRank(a) ? b : a;
    }

    long cachedEntries() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** The cached texts' total weight, in chars (each counted as at least {@value #AVERAGE_LENGTH}). */
    long cachedWeight() {
        cache.cleanUp();
        return cache.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** Whether the text holds "lagwise" in any case: only then can it carry a hint. */
    static boolean mentionsLagwise(String sql) {
        for (int at = 0, last = sql.length() - 7; at <= last; at++) {
            char c = sql.charAt(at);
            if ((c == 'l' || c == 'L') && sql.regionMatches(true, at, "lagwise", 0, 7)) {
                return true;
            }
        }
        return false;
    }

    /** One reading of the text (one backslash mode): each statement in turn, then the text's hints. */
    private static Classification classify(SqlLexer lx) {
        StatementKind kind = null;
        int statements = 0;
        do {
            String first = lx.nextWord();
            if (first == null) {
                continue; // an empty statement: ";;" or the end
            }
            StatementKind k = statement(lx, first);
            kind = statements++ == 0 ? k : strongest(kind, k);
        } while (lx.nextStatement());
        if (kind == null) {
            return PLAIN[StatementKind.WRITE.ordinal()][0];
        }
        if (statements > 1 && kind != StatementKind.SESSION) {
            kind = StatementKind.WRITE; // "SELECT 1; DELETE …" with allowMultiQueries
        }
        if (lx.masterHint && kind != StatementKind.SESSION) {
            kind = StatementKind.MASTER_HINT;
        }
        int parameters = kind == StatementKind.WRITE || kind == StatementKind.MASTER_HINT ? 0 : lx.placeholders;
        return of(kind, parameters, lx.consistency, lx.implicitCommit);
    }

    private static Classification of(StatementKind kind, int parameters, Consistency hint, boolean commit) {
        return parameters == 0 && hint == null ? PLAIN[kind.ordinal()][commit ? 1 : 0]
                : new Classification(kind, parameters, hint, commit);
    }

    /**
     * One statement, from its first word to its end (a {@code ;} or the end of the text), which it
     * always reads to; records an implicit commit on the lexer.
     */
    private static StatementKind statement(SqlLexer lx, String first) {
        if (first == null) {
            return StatementKind.WRITE; // a wrapper with nothing inside: "EXPLAIN", "SET STATEMENT x=1 FOR"
        }
        switch (first) {
            case "SELECT", "VALUES", "TABLE":
                return query(lx, false);
            case "WITH":
                return query(lx, true);
            case "SHOW":
                return show(lx);
            case "EXPLAIN", "DESCRIBE", "DESC":
                return explain(lx);
            case "ANALYZE":
                return analyze(lx);
            case "HELP":
                lx.skipStatement();
                return StatementKind.READ;
            case "SET":
                return set(lx);
            case "CREATE", "DROP":
                return createOrDrop(lx);
            case "LOAD":
                if ("INDEX".equals(lx.nextWord())) {
                    lx.implicitCommit = true; // LOAD INDEX INTO CACHE; LOAD DATA is plain DML
                }
                lx.skipStatement();
                return StatementKind.WRITE;
            default:
                lx.implicitCommit |= COMMITTING_STARTS.contains(first);
                lx.skipStatement();
                return TRANSACTION_CONTROL_STARTS.contains(first) ? StatementKind.TRANSACTION_CONTROL
                        : SESSION_STARTS.contains(first) ? StatementKind.SESSION : StatementKind.WRITE;
        }
    }

    /** The rest of a query: the strongest marker found wins. */
    private static StatementKind query(SqlLexer lx, boolean with) {
        StatementKind kind = StatementKind.READ;
        boolean lastStatement = false;
        String previous = "";
        for (String word = lx.nextWord(); word != null; word = lx.nextWord()) {
            if ((with && WRITES_IN_WITH.contains(word))
                    || (word.equals("FOR") && previous.equals("VALUE")) // NEXT/PREVIOUS VALUE FOR: sequences
                    || (lx.followedByParenthesis && WRITING_FUNCTIONS.contains(word))) {
                lx.skipStatement();
                return StatementKind.WRITE;
            }
            if ((word.equals("UPDATE") || word.equals("SHARE")) && (previous.equals("FOR") || previous.equals("IN"))) {
                kind = stronger(kind, StatementKind.LOCKING_READ);
            } else if (word.equals("INTO")) {
                kind = stronger(kind, StatementKind.SESSION);
            } else if (lx.followedByParenthesis && SESSION_FUNCTIONS.contains(word)) {
                kind = stronger(kind, StatementKind.SESSION);
            } else if (lx.followedByParenthesis && LAST_STATEMENT_FUNCTIONS.contains(word)) {
                lastStatement = true;
            }
            previous = word;
        }
        if (lx.userVariable || lx.sessionVariable) {
            kind = stronger(kind, StatementKind.SESSION);
        }
        if (lx.serverVariable) {
            kind = stronger(kind, StatementKind.LOCKING_READ);
        }
        if ((lastStatement || lx.lastStatementVariable) && kind == StatementKind.READ) {
            kind = StatementKind.LAST_USED;
        }
        return kind;
    }

    /**
     * {@code SHOW}: a read, but for what depends on the server that answers (replication state: the
     * master's unless the connection is read-only) and what depends on the session (its status,
     * variables, profiles, warnings: where its previous statement ran). {@code GLOBAL} status and
     * variables are plain reads.
     */
    private static StatementKind show(SqlLexer lx) {
        String second = lx.nextWord();
        StatementKind kind = StatementKind.READ;
        if (second != null) {
            switch (second) {
                case "WARNINGS", "ERRORS", "COUNT", "PROFILE", "PROFILES", "STATUS", "VARIABLES":
                    kind = StatementKind.LAST_USED;
                    break;
                case "SESSION", "LOCAL":
                    String third = lx.nextWord();
                    if ("STATUS".equals(third) || "VARIABLES".equals(third)) {
                        kind = StatementKind.LAST_USED;
                    }
                    break;
                case "MASTER", "BINARY", "BINLOG", "SLAVE", "REPLICA", "REPLICAS", "RELAYLOG",
                        "EXPLAIN", "ANALYZE": // SHOW EXPLAIN/ANALYZE FOR <connection id>: one server's connection
                    kind = StatementKind.LOCKING_READ;
                    break;
                case "ALL":
                    String what = lx.nextWord();
                    if ("SLAVES".equals(what) || "REPLICAS".equals(what)) {
                        kind = StatementKind.LOCKING_READ;
                    }
                    break;
                default:
                    break;
            }
        }
        lx.skipStatement();
        return kind;
    }

    /**
     * {@code EXPLAIN}/{@code DESCRIBE}/{@code DESC}: of a table, a read; of a statement, that
     * statement's kind. With {@code ANALYZE} the statement runs, so its kind is the only right answer;
     * without, an explained write is still a {@link StatementKind#WRITE}: one rule for both forms, and a
     * {@code read_only} replica may refuse to explain a write (its check is on the statement's type).
     */
    private static StatementKind explain(SqlLexer lx) {
        String word = lx.nextWord();
        while (word != null) {
            switch (word) {
                case "ANALYZE", "EXTENDED", "PARTITIONS", "INTO": // EXPLAIN FORMAT=JSON INTO @v: the lexer sees @v
                    word = lx.nextWord();
                    break;
                case "FORMAT":
                    word = afterFormat(lx);
                    break;
                case "FOR": // EXPLAIN FOR CONNECTION <id>: a statement running on one server
                    lx.skipStatement();
                    return StatementKind.LOCKING_READ;
                default:
                    if (EXPLAINABLE.contains(word)) {
                        return statement(lx, word);
                    }
                    lx.skipStatement(); // DESC t, EXPLAIN t col
                    return StatementKind.READ;
            }
        }
        return StatementKind.READ;
    }

    /** Past {@code FORMAT}: skips the format's name ({@code =} is punctuation), unless it was a quoted literal. */
    private static String afterFormat(SqlLexer lx) {
        String word = lx.nextWord();
        return word == null || EXPLAINABLE.contains(word) ? word : lx.nextWord();
    }

    /**
     * MariaDB's {@code ANALYZE [FORMAT=…] <statement>} runs the statement: its kind.
     * {@code ANALYZE TABLE} updates statistics and commits implicitly: a write.
     */
    private static StatementKind analyze(SqlLexer lx) {
        String word = lx.nextWord();
        if ("FORMAT".equals(word)) {
            word = afterFormat(lx);
        }
        if (word != null && !word.equals("TABLE") && EXPLAINABLE.contains(word)) {
            return statement(lx, word);
        }
        lx.implicitCommit = true; // ANALYZE [NO_WRITE_TO_BINLOG | LOCAL] TABLE(S) …, or something unknown
        lx.skipStatement();
        return StatementKind.WRITE;
    }

    /**
     * {@code SET}: session state, but for {@code SET STATEMENT … FOR <statement>} (MariaDB), whose
     * settings last one statement, so it is that statement, and {@code SET TRANSACTION}, which only
     * shapes the next transaction and is what a read-only transaction may open with: it goes where
     * that transaction goes ({@link StatementKind#TRANSACTION_CONTROL}).
     */
    private static StatementKind set(SqlLexer lx) {
        String word = lx.nextWord();
        if ("STATEMENT".equals(word)) {
            for (word = lx.nextWord(); word != null; word = lx.nextWord()) {
                if (word.equals("FOR") && lx.depth == 0) {
                    return statement(lx, lx.nextWord());
                }
            }
            return StatementKind.SESSION;
        }
        if ("TRANSACTION".equals(word)) {
            lx.skipStatement();
            return StatementKind.TRANSACTION_CONTROL;
        }
        if ("PASSWORD".equals(word) || "DEFAULT".equals(word)) {
            lx.implicitCommit = true; // SET PASSWORD, SET DEFAULT ROLE: account changes
        }
        for (; word != null; word = lx.nextWord()) {
            if (word.equals("AUTOCOMMIT") && lx.turnsAutocommitOn()) {
                lx.implicitCommit = true;
            }
        }
        lx.implicitCommit |= lx.autocommitOn; // SET @@autocommit = 1
        return StatementKind.SESSION;
    }

    /** {@code CREATE}/{@code DROP}: a write that commits, but for temporary tables, which are session state. */
    private static StatementKind createOrDrop(SqlLexer lx) {
        String word = lx.nextWord();
        if ("OR".equals(word) && "REPLACE".equals(lx.nextWord())) {
            word = lx.nextWord();
        }
        if ("TEMPORARY".equals(word)) {
            if (!"TABLE".equals(lx.nextWord())) {
                lx.implicitCommit = true; // a temporary sequence: not known not to commit
            }
            lx.skipStatement();
            return StatementKind.SESSION;
        }
        lx.implicitCommit = true;
        lx.skipStatement();
        return StatementKind.WRITE;
    }

    private static StatementKind stronger(StatementKind a, StatementKind b) {
        return rank(b) > rank(a) ? b : a;
    }

    /** Strength for one statement, or between two readings of a text: the stronger is the safer. */
    private static int rank(StatementKind k) {
        return switch (k) {
            case READ -> 0;
            case LOCKING_READ, LAST_USED, TRANSACTION_CONTROL -> 1;
            case SESSION -> 2;
            case WRITE, MASTER_HINT -> 3;
        };
    }

    /** Strength within a batch, see {@link #strongest}. */
    private static int batchRank(StatementKind k) {
        return switch (k) {
            case LAST_USED -> -1;
            case READ -> 0;
            case TRANSACTION_CONTROL -> 1; // with reads only: where the transaction goes, or session state
            case LOCKING_READ -> 2;
            case MASTER_HINT -> 3;
            case WRITE -> 4;
            case SESSION -> 5;
        };
    }

    /**
     * Two readings of a text found different hints: the one asking for fresher data, where no hint
     * (the connection's level, read-your-writes by default) counts above {@code EVENTUAL}.
     */
    private static Consistency strongerHint(Consistency a, Consistency b) {
        return hintRank(b) > hintRank(a) ? b : a;
    }

    private static int hintRank(Consistency c) {
        return c == null ? 1 : c == Consistency.EVENTUAL ? 0 : c.ordinal() + 1;
    }
}
