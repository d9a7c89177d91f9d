package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import java.util.Locale;
import java.util.Set;

/**
 * The {@link StatementClassifier}'s lexer: reads upper-cased words one statement at a time, skipping
 * literals, quoted identifiers, comments and punctuation (executable comments are transparent), and
 * notes on the way what matters for routing: placeholders, user and system variables, hints in
 * comments, backslashes in literals, several statements in one text.
 */
final class SqlLexer {

    /** Session variables that hold what this session wrote or did last. */
    private static final Set<String> SESSION_VARIABLES = Set.of("IDENTITY", "LAST_INSERT_ID", "INSERT_ID",
            "LAST_GTID");
    private static final Set<String> LAST_STATEMENT_VARIABLES = Set.of("WARNING_COUNT", "ERROR_COUNT");
    /**
     * System variables whose value depends on the server that answers: replication positions and the
     * read-only switches. {@code @@server_id} is not one of them on purpose: asking which server
     * answered is its use.
     */
    private static final Set<String> SERVER_VARIABLES = Set.of("GTID_BINLOG_POS", "GTID_BINLOG_STATE",
            "GTID_CURRENT_POS", "GTID_SLAVE_POS", "GTID_EXECUTED", "GTID_PURGED", "READ_ONLY", "SUPER_READ_ONLY");

    /** What {@link #next(boolean)} returns for a word it was not asked to read. */
    private static final String SKIPPED = "";

    private final String s;
    private final int n;
    /** Whether {@code \} escapes the next character inside a quoted literal. */
    private final boolean escapes;
    /** Whether comments may hold a hint: the text mentions "lagwise" somewhere. */
    private final boolean hints;
    private int i;
    /** Executable comments opened and not yet closed. */
    private int executable;
    /** A {@code ;} ended the statement: no more words until {@link #nextStatement()}. */
    private boolean endOfStatement;

    // About the whole text.
    /** {@code ?} placeholders seen so far, outside literals and comments. */
    int placeholders;
    /** A {@code \} was seen in a quoted literal: the other backslash mode may read the text otherwise. */
    boolean backslashInLiteral;
    boolean masterHint;
    /** The first consistency hint, or null. */
    Consistency consistency;
    /** A statement of the text commits implicitly; set by the classifier. */
    boolean implicitCommit;

    // About the current statement.
    boolean followedByParenthesis;
    /** Parentheses open at this point of the statement. */
    int depth;
    /** A user variable ({@code @var} or {@code :=}) was seen: it lives in one session. */
    boolean userVariable;
    /** A system variable holding this session's own last write ({@code @@identity}…) was seen. */
    boolean sessionVariable;
    /** A system variable about the previous statement ({@code @@warning_count}…) was seen. */
    boolean lastStatementVariable;
    /** A system variable whose value depends on the server ({@code @@gtid_binlog_pos}…) was seen. */
    boolean serverVariable;
    /** {@code @@autocommit} was assigned a value that may turn it on. */
    boolean autocommitOn;

    SqlLexer(String s, boolean escapes, boolean hints) {
        this.s = s;
        this.n = s.length();
        this.escapes = escapes;
        this.hints = hints;
    }

    /** The statement's next word, upper-cased, or null at its end. */
    String nextWord() {
        return next(true);
    }

    /** Reads to the end of the statement, noting what it holds. */
    void skipStatement() {
        while (next(false) != null) {
            // nothing to do with the words themselves
        }
    }

    /** Moves past the {@code ;} that ended the statement; false at the end of the text. */
    boolean nextStatement() {
        if (!endOfStatement) {
            return false;
        }
        endOfStatement = false;
        followedByParenthesis = false;
        depth = 0;
        userVariable = false;
        sessionVariable = false;
        lastStatementVariable = false;
        serverVariable = false;
        autocommitOn = false;
        return true;
    }

    private String next(boolean read) {
        if (endOfStatement) {
            return null;
        }
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                blockComment();
            } else if (c == '*' && executable > 0 && i + 1 < n && s.charAt(i + 1) == '/') {
                executable--; // the end of an executable comment: what follows is SQL either way
                i += 2;
            } else if (c == '#' || (c == '-' && i + 1 < n && s.charAt(i + 1) == '-'
                    && (i + 2 == n || Character.isWhitespace(s.charAt(i + 2))))) {
                int end = s.indexOf('\n', i);
                int stop = end < 0 ? n : end;
                if (hints) {
                    hint(i + (c == '#' ? 1 : 2), stop);
                }
                i = end < 0 ? n : end + 1;
            } else if (c == '\'' || c == '"' || c == '`') {
                skipQuoted(c);
            } else if (c == '@') {
                variable();
            } else if (c == ':' && i + 1 < n && s.charAt(i + 1) == '=') {
                userVariable = true;
                i += 2;
            } else if (isWordStart(c)) {
                int start = i;
                skipIdentifierChars();
                if (!read) {
                    return SKIPPED;
                }
                followedByParenthesis = parenthesisFollows(i);
                return s.substring(start, i).toUpperCase(Locale.ROOT);
            } else {
                i++;
                if (c == '?') {
                    placeholders++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == ';') {
                    endOfStatement = true;
                    return null;
                }
            }
        }
        return null;
    }

    /** At {@code /*}: a comment, or the opener of an executable one, whose content is SQL. */
    private void blockComment() {
        int at = i + 2;
        if (at < n && s.charAt(at) == '!') {
            openExecutable(at + 1);
        } else if (at + 1 < n && s.charAt(at) == 'M' && s.charAt(at + 1) == '!') {
            openExecutable(at + 2);
        } else {
            int end = s.indexOf("*/", at);
            int stop = end < 0 ? n : end;
            if (hints) {
                hint(at, stop);
            }
            i = end < 0 ? n : end + 2;
        }
    }

    /** Past {@code /*!} or {@code /*M!}: skips a version number (5 or 6 digits) if there is one. */
    private void openExecutable(int at) {
        int end = at;
        while (end < n && end - at < 6 && Character.isDigit(s.charAt(end))) {
            end++;
        }
        i = end - at >= 5 ? end : at;
        executable++;
    }

    /** A comment's text from {@code from} to {@code to}: a hint if that is all it says. */
    private void hint(int from, int to) {
        while (from < to && Character.isWhitespace(s.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(s.charAt(to - 1))) {
            to--;
        }
        int length = to - from;
        if (length < StatementClassifier.MASTER_HINT.length() || !s.regionMatches(true, from, "lagwise:", 0, 8)) {
            return;
        }
        if (is(from, length, StatementClassifier.MASTER_HINT)) {
            masterHint = true;
        } else if (consistency == null) {
            if (is(from, length, "lagwise:eventual")) {
                consistency = Consistency.EVENTUAL;
            } else if (is(from, length, "lagwise:strong")) {
                consistency = Consistency.STRONG;
            } else if (is(from, length, "lagwise:read-your-writes")) {
                consistency = Consistency.READ_YOUR_WRITES;
            }
        }
    }

    private boolean is(int from, int length, String word) {
        return length == word.length() && s.regionMatches(true, from, word, 0, length);
    }

    private void variable() {
        if (i + 1 < n && s.charAt(i + 1) == '@') {
            i += 2; // @@system_variable: readable anywhere, but for a few about this session or server
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
            serverVariable |= SERVER_VARIABLES.contains(name);
            if (name.equals("AUTOCOMMIT") && turnsAutocommitOn()) {
                autocommitOn = true;
            }
        } else {
            userVariable = true;
            i++;
            skipIdentifierChars();
        }
    }

    /**
     * Just past a variable's name: whether it is assigned a value that may turn autocommit on,
     * that is anything but {@code 0}, {@code OFF} or {@code FALSE}.
     */
    boolean turnsAutocommitOn() {
        int j = i;
        while (j < n && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        if (j < n && s.charAt(j) == '=') {
            j++;
        } else if (j + 1 < n && s.charAt(j) == ':' && s.charAt(j + 1) == '=') {
            j += 2;
        } else {
            return false; // read, not assigned
        }
        while (j < n && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        if (j < n && (s.charAt(j) == '\'' || s.charAt(j) == '"')) {
            j++;
        }
        return !(valueAt(j, "0") || valueAt(j, "OFF") || valueAt(j, "FALSE"));
    }

    private boolean valueAt(int at, String value) {
        int end = at + value.length();
        return s.regionMatches(true, at, value, 0, value.length())
                && (end == n || !(isIdentifierChar(s.charAt(end)) || s.charAt(end) == '.'));
    }

    /**
     * Whether {@code (} comes next, after whitespace and comments ({@code GET_LOCK/**}{@code /(…)},
     * {@code GET_LOCK -- x} and a new line, then {@code (}). An executable comment there may hold
     * anything: it counts as a parenthesis, the safer reading.
     */
    private boolean parenthesisFollows(int j) {
        while (j < n) {
            char c = s.charAt(j);
            if (Character.isWhitespace(c)) {
                j++;
            } else if (c == '/' && j + 2 < n && s.charAt(j + 1) == '*') {
                if (s.charAt(j + 2) == '!' || (s.charAt(j + 2) == 'M' && j + 3 < n && s.charAt(j + 3) == '!')) {
                    return true;
                }
                int end = s.indexOf("*/", j + 2);
                if (end < 0) {
                    return false;
                }
                j = end + 2;
            } else if (c == '#' || (c == '-' && j + 1 < n && s.charAt(j + 1) == '-' && (j + 2 == n || Character.isWhitespace(s.charAt(j + 2))))) {
                int end = s.indexOf('\n', j);
                if (end < 0) {
                    return false;
                }
                j = end + 1;
            } else {
                return c == '(';
            }
        }
        return false;
    }

    private void skipIdentifierChars() {
        while (i < n && isIdentifierChar(s.charAt(i))) {
            i++;
        }
    }

    private void skipQuoted(char quote) {
        i++;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\' && quote != '`') {
                backslashInLiteral = true;
                i += escapes ? 2 : 1;
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
        i = n;
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentifierChar(char c) {
        return isWordStart(c) || Character.isDigit(c) || c == '$';
    }
}
