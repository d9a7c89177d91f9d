package io.lagwise.jdbc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what a SQL text is — a plain read, a locking read, a write, a session-state statement —
 * so that an auto-commit statement can be routed. Results are cached per SQL text (bounded, Caffeine):
 * applications run the same few hundred statements millions of times.
 *
 * <p>The scan is a small lexer, not a parser. It skips string literals, quoted identifiers and
 * comments, reads the first keyword, and for queries looks for the markers that make a read unsafe
 * on a replica: lock clauses, {@code INTO}, user variables, and functions that touch session or
 * server state ({@code LAST_INSERT_ID()}, {@code GET_LOCK()}, sequences…). When in doubt it says
 * {@link StatementKind#WRITE}: a read sent to the master costs a little; a write sent to a replica
 * is an error, and a session read on the wrong server is a wrong answer. What it cannot see — a
 * stored function that writes, called from a {@code SELECT} — needs the {@code /* lagwise:master *}{@code /}
 * hint; replicas are {@code read_only}, so such a mistake fails rather than diverges.
 */
final class StatementClassifier {

    static final String MASTER_HINT = "lagwise:master";
    /** Longer SQL texts are classified every time, not cached: the cache's memory stays bounded. */
    static final int MAX_CACHED_LENGTH = 4096;

    private static final Set<String> READ_STARTS = Set.of("SELECT", "WITH", "VALUES", "TABLE");
    private static final Set<String> METADATA_READS = Set.of("SHOW", "DESC", "DESCRIBE", "HELP");
    private static final Set<String> SESSION_STARTS = Set.of("SET", "USE", "LOCK", "UNLOCK", "PREPARE", "EXECUTE",
            "DEALLOCATE", "BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA", "HANDLER", "RESET",
            "DO", "GET");
    private static final Set<String> SESSION_FUNCTIONS = Set.of("LAST_INSERT_ID", "GET_LOCK", "RELEASE_LOCK",
            "RELEASE_ALL_LOCKS", "IS_FREE_LOCK", "IS_USED_LOCK", "CONNECTION_ID");
    /** About the previous statement of the session: they must run where it ran. */
    private static final Set<String> LAST_STATEMENT_FUNCTIONS = Set.of("FOUND_ROWS", "ROW_COUNT");
    /** Session variables that hold what this session wrote or did last. */
    private static final Set<String> SESSION_VARIABLES = Set.of("IDENTITY", "LAST_INSERT_ID", "INSERT_ID",
            "LAST_GTID");
    private static final Set<String> LAST_STATEMENT_VARIABLES = Set.of("WARNING_COUNT", "ERROR_COUNT");
    private static final Set<String> WRITING_FUNCTIONS = Set.of("NEXTVAL", "SETVAL", "LASTVAL");
    private static final Set<String> WRITES_IN_WITH = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE");

    private final Cache<String, Classification> cache;

    /**
     * What the classifier found: the kind, and for reads the number of {@code ?} placeholders (so
     * a statement that may move records its parameters in arrays of the right size). Cached, one per
     * SQL text.
     */
    record Classification(StatementKind kind, int parameters, io.lagwise.core.Consistency consistency) {
        Classification(StatementKind kind, int parameters) {
            this(kind, parameters, null);
        }
    }

    private static final Classification[] PLAIN = new Classification[StatementKind.values().length];

    static {
        for (StatementKind k : StatementKind.values()) {
            PLAIN[k.ordinal()] = new Classification(k, 0);
        }
    }

    StatementClassifier(long maximumSize) {
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).build();
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
     * Classifies, then applies a consistency hint ({@code /* lagwise:eventual *}{@code /},
     * {@code lagwise:read-your-writes}, {@code lagwise:strong}) if the text carries one.
     */
    static Classification classifyUncached(String sql) {
        Classification c = classifyKind(sql);
        io.lagwise.core.Consistency hint = consistencyHint(sql);
        return hint == null ? c : new Classification(c.kind(), c.parameters(), hint);
    }

    /** A consistency hint in a comment, or null. Cheap when there is no {@code lagwise:} at all. */
    static io.lagwise.core.Consistency consistencyHint(String sql) {
        int at = sql.indexOf("lagwise:");
        if (at < 0) {
            return null;
        }
        String rest = sql.substring(at + 8).toLowerCase(Locale.ROOT);
        if (rest.startsWith("eventual")) {
            return io.lagwise.core.Consistency.EVENTUAL;
        }
        if (rest.startsWith("strong")) {
            return io.lagwise.core.Consistency.STRONG;
        }
        if (rest.startsWith("read-your-writes")) {
            return io.lagwise.core.Consistency.READ_YOUR_WRITES;
        }
        return null;
    }

    long cachedEntries() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static Classification classifyKind(String sql) {
        Lexer lx = new Lexer(sql);
        String first = lx.nextWord();
        if (lx.masterHint) {
            return PLAIN[StatementKind.MASTER_HINT.ordinal()];
        }
        if (first == null || lx.executableComment) {
            return PLAIN[StatementKind.WRITE.ordinal()];
        }
        if (READ_STARTS.contains(first)) {
            return scanQuery(lx, first.equals("WITH"));
        }
        if (METADATA_READS.contains(first)) {
            String second = lx.nextWord();
            StatementKind kind = first.equals("SHOW") && ("WARNINGS".equals(second) || "ERRORS".equals(second)
                    || "COUNT".equals(second)) ? StatementKind.LAST_USED : StatementKind.READ;
            while (lx.nextWord() != null) {
                // read to the end: a second statement after ';' makes it a write
            }
            return PLAIN[(lx.multiStatement ? StatementKind.WRITE : kind).ordinal()];
        }
        if (SESSION_STARTS.contains(first)) {
            return PLAIN[StatementKind.SESSION.ordinal()];
        }
        if (first.equals("CREATE") || first.equals("DROP")) {
            String second = lx.nextWord();
            if ("TEMPORARY".equals(second) || ("OR".equals(second) && "REPLACE".equals(lx.nextWord())
                    && "TEMPORARY".equals(lx.nextWord()))) {
                return PLAIN[StatementKind.SESSION.ordinal()];
            }
        }
        return PLAIN[StatementKind.WRITE.ordinal()];
    }

    /** The rest of a query: the strongest marker found wins. */
    private static Classification scanQuery(Lexer lx, boolean with) {
        StatementKind kind = StatementKind.READ;
        boolean lastStatement = false;
        String previous = "";
        for (String word = lx.nextWord(); word != null; word = lx.nextWord()) {
            if (with && WRITES_IN_WITH.contains(word)) {
                return PLAIN[StatementKind.WRITE.ordinal()];
            }
            if ((word.equals("UPDATE") || word.equals("SHARE")) && (previous.equals("FOR") || previous.equals("IN"))) {
                kind = stronger(kind, StatementKind.LOCKING_READ);
            } else if (word.equals("INTO")) {
                kind = stronger(kind, StatementKind.SESSION);
            } else if (word.equals("FOR") && previous.equals("VALUE")) {
                return PLAIN[StatementKind.WRITE.ordinal()]; // NEXT VALUE FOR / PREVIOUS VALUE FOR: sequences
            } else if (lx.followedByParenthesis && WRITING_FUNCTIONS.contains(word)) {
                return PLAIN[StatementKind.WRITE.ordinal()];
            } else if (lx.followedByParenthesis && SESSION_FUNCTIONS.contains(word)) {
                kind = stronger(kind, StatementKind.SESSION);
            } else if (lx.followedByParenthesis && LAST_STATEMENT_FUNCTIONS.contains(word)) {
                lastStatement = true;
            }
            previous = word;
        }
        if (lx.multiStatement) {
            return PLAIN[StatementKind.WRITE.ordinal()]; // "SELECT 1; DELETE …" with allowMultiQueries
        }
        if (lx.masterHint) {
            return PLAIN[StatementKind.MASTER_HINT.ordinal()];
        }
        if (lx.executableComment) {
            return PLAIN[StatementKind.WRITE.ordinal()];
        }
        if (lx.userVariable || lx.sessionVariable) {
            kind = stronger(kind, StatementKind.SESSION);
        }
        if ((lastStatement || lx.lastStatementVariable) && kind == StatementKind.READ) {
            kind = StatementKind.LAST_USED;
        }
        return new Classification(kind, lx.placeholders);
    }

    private static StatementKind stronger(StatementKind a, StatementKind b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(StatementKind k) {
        switch (k) {
            case READ:
                return 0;
            case LOCKING_READ:
                return 1;
            case SESSION:
                return 2;
            default:
                return 3;
        }
    }

    /** Reads upper-cased words, skipping literals, quoted identifiers, comments and punctuation. */
    static final class Lexer {
        private final String s;
        private int i;
        boolean masterHint;
        boolean executableComment;
        boolean followedByParenthesis;
        /** {@code ?} placeholders seen so far, outside literals and comments. */
        int placeholders;
        /** A user variable ({@code @var} or {@code :=}) was seen: it lives in one session. */
        boolean userVariable;
        /** A system variable holding this session's own last write ({@code @@identity}…) was seen. */
        boolean sessionVariable;
        /** A system variable about the previous statement ({@code @@warning_count}…) was seen. */
        boolean lastStatementVariable;
        /** A {@code ;} was followed by more SQL: several statements in one text. */
        boolean multiStatement;
        private boolean semicolon;

        Lexer(String s) {
            this.s = s;
        }

        String nextWord() {
            int n = s.length();
            while (i < n) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                    int end = s.indexOf("*/", i + 2);
                    int stop = end < 0 ? n : end;
                    if (i + 2 < n && (s.charAt(i + 2) == '!' || (s.charAt(i + 2) == 'M' && i + 3 < n && s.charAt(i + 3) == '!'))) {
                        executableComment = true;
                    } else if (s.substring(i + 2, stop).trim().equalsIgnoreCase(MASTER_HINT)) {
                        masterHint = true;
                    }
                    i = end < 0 ? n : end + 2;
                } else if (c == '#' || (c == '-' && i + 1 < n && s.charAt(i + 1) == '-'
                        && (i + 2 == n || Character.isWhitespace(s.charAt(i + 2))))) {
                    int end = s.indexOf('\n', i);
                    i = end < 0 ? n : end + 1;
                } else if (c == '\'' || c == '"' || c == '`') {
                    skipQuoted(c);
                } else if (c == '@') {
                    if (i + 1 < n && s.charAt(i + 1) == '@') {
                        i += 2; // @@system_variable: readable anywhere, but for a few about this session
                        int start = i;
                        skipIdentifierChars();
                        if (i < n && s.charAt(i) == '.') { // @@session.x, @@global.x
                            i++;
                            start = i;
                            skipIdentifierChars();
                        }
                        String name = s.substring(start, i).toUpperCase(Locale.ROOT);
                        sessionVariable |= SESSION_VARIABLES.contains(name);
                        lastStatementVariable |= LAST_STATEMENT_VARIABLES.contains(name);
                    } else {
                        userVariable = true;
                        i++;
                        skipIdentifierChars();
                    }
                } else if (c == ':' && i + 1 < n && s.charAt(i + 1) == '=') {
                    userVariable = true;
                    i += 2;
                } else if (isWordStart(c)) {
                    if (semicolon) {
                        multiStatement = true;
                    }
                    int start = i;
                    skipIdentifierChars();
                    int j = i;
                    while (j < n && Character.isWhitespace(s.charAt(j))) {
                        j++;
                    }
                    followedByParenthesis = j < n && s.charAt(j) == '(';
                    return s.substring(start, i).toUpperCase(Locale.ROOT);
                } else {
                    if (c == '?') {
                        placeholders++;
                    } else if (c == ';') {
                        semicolon = true;
                    } else if (semicolon && !Character.isWhitespace(c)) {
                        multiStatement = true;
                    }
                    i++;
                }
            }
            return null;
        }

        private void skipIdentifierChars() {
            int n = s.length();
            while (i < n && (isWordStart(s.charAt(i)) || Character.isDigit(s.charAt(i)) || s.charAt(i) == '$')) {
                i++;
            }
        }

        private void skipQuoted(char quote) {
            int n = s.length();
            i++;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '\\' && quote != '`') {
                    i += 2;
                } else if (c == quote) {
                    if (i + 1 < n && s.charAt(i + 1) == quote) {
                        i += 2; // doubled quote
                    } else {
                        i++;
                        return;
                    }
                } else {
                    i++;
                }
            }
        }

        private static boolean isWordStart(char c) {
            return Character.isLetter(c) || c == '_';
        }
    }
}
