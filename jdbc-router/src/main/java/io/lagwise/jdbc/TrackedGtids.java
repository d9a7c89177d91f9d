package io.lagwise.jdbc;

import io.lagwise.core.GtidSet;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A write's own GTID on MySQL servers, without a round trip: the server's session tracking ({@code
 * session_track_gtids = OWN_GTID}) puts the GTIDs a statement committed into its OK packet, and
 * MySQL Connector/J ({@code trackSessionState=true}) keeps the last packet's report, readable in
 * memory right after the statement. MySQL has no {@code @@last_gtid}; without this the session
 * takes the master's whole {@code @@gtid_executed} when it next reads (one round trip, and a position
 * that holds other sessions' writes too).
 *
 * <p>Every reference to MySQL Connector/J's classes is in this class and runs only for a master
 * whose URL is {@code jdbc:mysql:} while that driver is on the class path; MariaDB Connector/J
 * exposes no tracked GTID (MariaDB has none to track), so it keeps {@code SELECT @@last_gtid}.
 *
 * <p>A reported GTID {@code uuid:N} stands for {@code uuid:1-N}: a MySQL server numbers its own
 * transactions in commit order, and the driver keeps only the last statement's report, so a batch
 * that committed several transactions shows only the last one. A replica with {@code uuid:1-N} holds
 * every write of the session that came before.
 */
final class TrackedGtids {

    /** Switches the tracking on, once per physical connection, before its first write. */
    static final String ENABLE = "SET SESSION session_track_gtids = OWN_GTID";

    /** Whether MySQL Connector/J, with the session-state API (8.0.26 and newer), is on the class path. */
    static final boolean DRIVER_PRESENT = driverPresent();

    /** The driver connections (not the pool's proxies) tracking is on for, or was tried on. */
    private static final Map<Object, Boolean> ENABLED = Collections.synchronizedMap(new WeakHashMap<>());

    private TrackedGtids() {}

    private static boolean driverPresent() {
        try {
            Class.forName("com.mysql.cj.MysqlConnection").getMethod("getServerSessionStateController");
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /**
     * Before a write on {@code c}: switches tracking on if this driver connection has not had it yet.
     * A failure (a server without {@code session_track_gtids}) is not tried again on it, and leaves
     * the writes to the master's position.
     */
    static void enable(Connection c) {
        Object driver = driverConnection(c);
        if (driver == null || ENABLED.putIfAbsent(driver, Boolean.TRUE) != null) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute(ENABLE);
        } catch (SQLException e) {
            // the write that follows finds out whether the connection broke; its position is read otherwise
        }
    }

    /**
     * The GTIDs the last statement on {@code c} committed, as reported by the server, closed down to
     * 1 per server ({@code uuid:1-N}); null when it reported none (tracking off, a write that made no
     * GTID, or a report that cannot be parsed).
     */
    static GtidSet reported(Connection c) {
        try {
            if (!c.isWrapperFor(com.mysql.cj.MysqlConnection.class)) {
                return null;
            }
            var changes = c.unwrap(com.mysql.cj.MysqlConnection.class).getServerSessionStateController()
                    .getSessionStateChanges();
            if (changes == null) {
                return null;
            }
            for (var change : changes.getSessionStateChangesList()) {
                if (change.getType() == com.mysql.cj.protocol.ServerSessionStateController.SESSION_TRACK_GTIDS) {
                    for (String value : change.getValues()) {
                        if (value != null && !value.isEmpty()) {
                            return closedDown(value);
                        }
                    }
                }
            }
            return null;
        } catch (SQLException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** {@code uuid:5-7:9,uuid2:3} becomes {@code uuid:1-9,uuid2:1-3}; null if it is not a MySQL GTID set. */
    static GtidSet closedDown(String reported) {
        GtidSet exact;
        try {
            exact = GtidSet.parse(reported.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (exact == null || !exact.isMysql() || exact.isEmpty()) {
            return null;
        }
        StringBuilder closed = new StringBuilder();
        for (String entry : exact.toString().split(",")) {
            int colon = entry.indexOf(':');
            int last = Math.max(entry.lastIndexOf(':'), entry.lastIndexOf('-'));
            if (colon < 0 || last < colon) {
                return null;
            }
            closed.append(closed.length() == 0 ? "" : ",").append(entry, 0, colon).append(":1-")
                    .append(entry, last + 1, entry.length());
        }
        return GtidSet.parse(closed.toString());
    }

    private static Object driverConnection(Connection c) {
        try {
            return c.isWrapperFor(com.mysql.cj.MysqlConnection.class) ? c.unwrap(com.mysql.cj.MysqlConnection.class) : null;
        } catch (SQLException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
