package io.lagwise.jdbc;

/** What a SQL statement is, for routing. See {@link StatementClassifier}. */
enum StatementKind {
    /** A plain read: may go to a replica. */
    READ,
    /** A read that takes locks ({@code FOR UPDATE}, {@code FOR SHARE}, {@code LOCK IN SHARE MODE}). */
    LOCKING_READ,
    /** Changes data or schema: the master. */
    WRITE,
    /**
     * Reads or changes session state ({@code SET}, {@code USE}, temporary tables, named locks, user
     * variables, {@code LAST_INSERT_ID()}…): the master, and the connection stays there.
     */
    SESSION,
    /** About the previous statement ({@code SHOW WARNINGS}, {@code SHOW ERRORS}): where that one ran. */
    LAST_USED,
    /** Carries the {@code /* lagwise:master *}{@code /} hint. */
    MASTER_HINT
}
