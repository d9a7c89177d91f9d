package io.lagwise.jdbc;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the one execute/retry loop ({@link ConnectionRouting#execute}) needs of a statement of any
 * kind — plain, prepared or callable: the driver statement to run, where it sits, and whether it
 * can be made again on another server.
 */
interface RoutedStatement<S extends Statement> {

    /** The driver statement to run now. */
    S statement();

    /** The server connection the driver statement sits on; null before one was made. */
    Physical physical();

    /**
     * Makes the statement on {@code target}, with its settings and parameters.
     *
     * @param cause the failure that moves it (a retried read), or null when its connection routes it there
     * @throws SQLException if it cannot move (a write's broken connection, a stream parameter, a
     *     batch, a call), saying why
     */
    void moveTo(Physical target, SQLException cause) throws SQLException;

    /** Whether a failed read may run once more elsewhere: nothing in it is consumed by a run. */
    boolean replayable();

    /** One execution on the driver statement; method references, so no allocation per call. */
    @FunctionalInterface
    interface Call<S, T> {
        T run(S statement, String sql) throws SQLException;
    }
}
