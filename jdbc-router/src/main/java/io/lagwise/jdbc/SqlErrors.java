package io.lagwise.jdbc;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * The one place that sorts {@link SQLException}s (as HikariCP's {@code checkException} does): a
 * connection-class SQLState ({@code 08…}) or a connection exception type means the server is gone
 * or unreachable; everything else is the statement's own business and says nothing of the node.
 */
final class SqlErrors {

    private SqlErrors() {}

    /**
     * Whether the server refused a write for being read-only: error 1290 ({@code
     * ER_OPTION_PREVENTS_STATEMENT}) naming {@code --read-only} or {@code --super-read-only} (the same
     * error names other options too, such as {@code --secure-file-priv}).
     */
    static boolean isReadOnly(SQLException e) {
        return e.getErrorCode() == 1290 && String.valueOf(e.getMessage()).contains("read-only");
    }

    /** Whether {@code e} (or a cause) is a connect the network refused: nothing listens there, or no route to it. */
    static boolean isRefused(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Whether the server refused for want of a privilege (1227 {@code ER_SPECIFIC_ACCESS_DENIED_ERROR}, 1142, 1143, 1044). */
    static boolean isAccessDenied(SQLException e) {
        int code = e.getErrorCode();
        return code == 1227 || code == 1142 || code == 1143 || code == 1044;
    }

    /**
     * Whether {@code e} (or a cause) says the server could not be reached or the link broke: a
     * connection-class SQLState ({@code 08…}) anywhere in the chain, a socket failure under it
     * ({@link java.net.SocketException}, a socket timeout, an end of stream), or a connection
     * exception type or an I/O cause when the SQLState says nothing else. A connection exception type
     * that carries another SQLState is the statement's own error: MariaDB Connector/J throws
     * {@link SQLTransientConnectionException} for any SQLState it has no class for
     * ({@code SIGNAL SQLSTATE '45000'} from a trigger, {@code HZ000} for a packet too big), and the
     * connection is fine.
     */
    static boolean isConnectionProblem(SQLException e) {
        String outer = e.getSQLState();
        boolean stateless = outer == null || outer.isEmpty();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                if (state != null && state.startsWith("08")) {
                    return true;
                }
                if (stateless && (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException)) {
                    return true;
                }
            } else if (t instanceof java.net.SocketException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.io.EOFException || (stateless && t instanceof java.io.IOException)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Whether a failure to get a connection says the server is unreachable. HikariCP's own timeout
     * ({@link SQLTransientConnectionException} with no cause) means the pool was full, not that the
     * server is gone; with a cause, it carries the last failure to connect.
     */
    static boolean isServerUnreachable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            // HikariCP's own timeout: with a cause, the last failure to connect, whatever its state
            // (refused, access denied, too many connections): the node cannot be used now.
            return e.getCause() != null;
        }
        return isConnectionProblem(e);
    }

    /**
     * Whether {@code e} (or a cause) is a read that timed out on its socket ({@code socketTimeout},
     * {@code replicaReadTimeout}, a network timeout): the server did not answer in time, which a
     * slow query and a frozen server both look like.
     */
    static boolean isTimeout(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.sql.SQLTimeoutException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * The innermost cause's message (the driver's own words: "Access denied…", "Connection
     * refused"), with anything shaped like a secret masked ({@link Redaction#redact}): what goes in
     * our messages and logs.
     */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return Redaction.redact(message.strip());
    }
}
