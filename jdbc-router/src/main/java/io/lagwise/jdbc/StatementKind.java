package io.lagwise.jdbc;

/** What a SQL statement is, for routing. See {@link StatementClassifier}. */
enum StatementKind {
    /**
     * A plain read: may go to a replica. {@code SET TRANSACTION …} is one too: it only shapes the
     * next transaction, and a read-only transaction that opens with it must not leave its replica.
     */
    READ,
    /**
     * A read that must run on the master unless the connection is read-only: one that takes locks
     * ({@code FOR UPDATE}, {@code FOR SHARE}, {@code LOCK IN SHARE MODE}), or one whose answer depends
     * on the server that answers ({@code SHOW MASTER STATUS}, {@code SHOW REPLICA STATUS},
     * {@code SHOW BINARY LOGS}, {@code @@gtid_binlog_pos}, {@code @@read_only}…).
     */
    LOCKING_READ,
    /** Changes data or schema: the master. */
    WRITE,
    /**
     * Reads or changes session state ({@code SET}, {@code USE}, temporary tables, named locks, user
     * variables, {@code LAST_INSERT_ID()}…): the master, and the connection stays there.
     */
    SESSION,
    /**
     * About the session's previous statement or its own diagnostics ({@code SHOW WARNINGS},
     * {@code SHOW ERRORS}, {@code FOUND_ROWS()}, {@code SHOW [SESSION] STATUS},
     * {@code SHOW [SESSION] VARIABLES}, {@code SHOW PROFILES}): where that statement ran.
     */
    LAST_USED,
    /**
     * Carries the {@code lagwise:master} hint in a comment ({@code /* lagwise:master *}{@code /},
     * {@code -- lagwise:master}, {@code # lagwise:master}): the master. A {@link #SESSION} statement
     * keeps its own kind, which already holds the connection on the master.
     */
    MASTER_HINT,
    /**
     * About the transaction of the server session it runs in: {@code SET TRANSACTION …} (no
     * {@code GLOBAL}/{@code SESSION}: it shapes the next transaction), {@code COMMIT},
     * {@code ROLLBACK}, {@code SAVEPOINT}, {@code RELEASE SAVEPOINT} in SQL. It goes where that
     * transaction runs — the running or starting transaction's server; in auto-commit it is session
     * state (the master, and the connection stays there).
     */
    TRANSACTION_CONTROL
}
