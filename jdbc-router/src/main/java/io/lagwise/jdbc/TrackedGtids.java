package io.lagwise.jdbc;

import io.lagwise.core.GtidSet;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A write's own GTIDs on MySQL servers, without a round trip: with {@code session_track_gtids =
 * OWN_GTID} the server puts the GTIDs a statement committed into its OK packet, and MySQL
 * Connector/J ({@code trackSessionState=true}) hands every OK packet's report to a listener, on the
 * thread that runs the statement. MySQL has no {@code @@last_gtid}; without this the session takes
 * the master's whole {@code @@gtid_executed} when it next reads (one round trip, and a position
 * that holds other clients' writes too).
 *
 * <p>Each driver connection gets one {@link Tracker}, kept as long as the driver connection lives
 * (a weak map: pooled connections come and go). A tracker counts the OK packets since the last
 * statement began and gathers their GTIDs, so that a committing statement tells one of three
 * things: its GTIDs; none (an OK packet came and named no GTID: the statement committed no
 * transaction that has one, such as an {@code UPDATE} that matched no row); or unknown (no OK packet
 * came: a result set still streaming, or the statement failed), and then the position is read the
 * old way.
 *
 * <p>A MariaDB server has no {@code session_track_gtids}; it tracks {@code last_gtid} as a system
 * variable instead ({@code session_track_system_variables}, appended to what the drivers track), and
 * MySQL Connector/J hands that over the same way. MariaDB reports it only when its value changes,
 * so there an OK packet without it means unknown, not none: the write's position is then read with
 * {@code SELECT @@last_gtid}, as always with MariaDB Connector/J, which keeps tracked variables to
 * itself (3.5 and 4.0: only its own list, such as {@code tx_isolation}, is read from OK packets).
 *
 * <p>Every reference to MySQL Connector/J's classes is in the nested {@code Listen} class and runs
 * only for a master whose URL is {@code jdbc:mysql:} while that driver (8.0.26 or newer) is on the
 * class path.
 */
final class TrackedGtids {

    /** Switches the tracking on, once per driver connection, outside a transaction (MySQL refuses it inside one). */
    static final String ENABLE = "SET SESSION session_track_gtids = OWN_GTID";
    /** The same on MariaDB: {@code last_gtid} added to the tracked system variables, keeping the others. */
    static final String ENABLE_MARIADB = "SET SESSION session_track_system_variables ="
            + " IF(@@session_track_system_variables = '*' OR FIND_IN_SET('last_gtid', @@session_track_system_variables) > 0,"
            + " @@session_track_system_variables,"
            + " CONCAT_WS(',', NULLIF(@@session_track_system_variables, ''), 'last_gtid'))";

    /** Whether MySQL Connector/J, with the session-state API, is on the class path. */
    static final boolean DRIVER_PRESENT = driverPresent();

    private TrackedGtids() {}

    private static boolean driverPresent() {
        try {
            Class.forName("com.mysql.cj.MysqlConnection").getMethod("getServerSessionStateController");
            Class.forName("com.mysql.cj.protocol.ServerSessionStateController$SessionStateChangesListener");
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** What {@link #tracker} gives for a connection whose server cannot track GTIDs: do not ask again. */
    static final Tracker NONE = new Tracker();

    /**
     * The tracker of {@code c}'s driver connection, switching tracking on first if it is not yet and
     * no transaction is open there; {@link #NONE} where it cannot be on; null while it is not on yet
     * (try again at the next write).
     *
     * @throws SQLException if the connection failed on the way (the write it comes before fails with it)
     */
    static Tracker tracker(Connection c) throws SQLException {
        try {
            return Listen.tracker(c);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * What MySQL Connector/J reported for one driver connection since the last statement began. Used
     * on the thread that runs the connection's statements (the driver calls {@link #ok} there).
     */
    static final class Tracker {
        /** Whether an OK packet without a GTID means the statement committed none (MySQL), not unknown (MariaDB). */
        private final boolean reportsEveryCommit;
        private int oks;
        private GtidSet gtids;

        Tracker() {
            this(true);
        }

        Tracker(boolean reportsEveryCommit) {
            this.reportsEveryCommit = reportsEveryCommit;
        }

        /** An OK packet came, naming {@code reported} (null: none). */
        void ok(String reported) {
            oks++;
            if (reported != null && !reported.isBlank()) {
                GtidSet own;
                try {
                    own = GtidSet.parse(reported.trim());
                } catch (IllegalArgumentException e) {
                    own = null;
                }
                try {
                    gtids = own == null ? null : gtids == null ? own : gtids.union(own);
                } catch (IllegalArgumentException e) {
                    own = null; // a MySQL set and a MariaDB position: not one server's reports
                }
                if (own == null) {
                    oks = Integer.MIN_VALUE; // a report that cannot be read: unknown until the next statement
                }
            }
        }

        /** A statement that may commit begins: only OK packets from now on tell about it. */
        void statementBegins() {
            oks = 0;
        }

        /**
         * The GTIDs the statements since the last drain committed; empty when an OK packet came and
         * named none; null when none came for the last statement (or a report could not be read).
         */
        GtidSet drain() {
            GtidSet own = oks <= 0 ? null : gtids != null ? gtids : reportsEveryCommit ? GtidSet.empty() : null;
            gtids = null;
            oks = 0;
            return own;
        }
    }

    /** Everything that names MySQL Connector/J's classes: loaded only when {@link #DRIVER_PRESENT}. */
    private static final class Listen implements com.mysql.cj.protocol.ServerSessionStateController.SessionStateChangesListener {

        /** Strongly held by the map entry: the driver keeps its listeners by weak reference. */
        private final Tracker tracker;

        private Listen(Tracker tracker) {
            this.tracker = tracker;
        }

        @Override
        public void handleSessionStateChanges(com.mysql.cj.protocol.ServerSessionStateController.ServerSessionStateChanges changes) {
            String gtids = null;
            if (changes != null) {
                for (var change : changes.getSessionStateChangesList()) {
                    List<String> values = change.getValues();
                    if (change.getType() == com.mysql.cj.protocol.ServerSessionStateController.SESSION_TRACK_GTIDS) {
                        for (String value : values) {
                            gtids = gtids == null ? value : gtids + "," + value;
                        }
                    } else if (change.getType() == com.mysql.cj.protocol.ServerSessionStateController.SESSION_TRACK_SYSTEM_VARIABLES
                            && values.size() >= 2 && "last_gtid".equalsIgnoreCase(values.get(0))) {
                        gtids = gtids == null ? values.get(1) : gtids + "," + values.get(1); // MariaDB
                    }
                }
            }
            tracker.ok(gtids);
        }

        /**
         * The listener of each driver connection (not the pool's proxy) tracking is on for, keyed
         * weakly: it lives as long as its driver connection, which keeps it only by weak reference.
         */
        private static final Map<Object, Listen> LISTENERS = Collections.synchronizedMap(new WeakHashMap<>());
        /** Stands in the map for a driver connection whose server has no such tracking: never asked again. */
        private static final Listen NEVER = new Listen(NONE);

        static Tracker tracker(Connection c) throws SQLException {
            if (!c.isWrapperFor(com.mysql.cj.MysqlConnection.class)) {
                return NONE;
            }
            com.mysql.cj.MysqlConnection driver = c.unwrap(com.mysql.cj.MysqlConnection.class);
            Listen known = LISTENERS.get(driver);
            if (known != null) {
                return known.tracker;
            }
            if (driver.getSession().getServerSession().inTransactionOnServer()) {
                return null; // MySQL refuses the SET inside a transaction: at a later write
            }
            boolean mariadb = false;
            try (Statement s = c.createStatement()) {
                try {
                    s.execute(ENABLE);
                } catch (SQLException e) {
                    if (e.getErrorCode() != 1193) {
                        throw e;
                    }
                    mariadb = true; // no session_track_gtids: MariaDB tracks last_gtid instead
                    s.execute(ENABLE_MARIADB);
                }
            } catch (SQLException e) {
                if (SqlErrors.isConnectionProblem(e)) {
                    throw e; // the connection is gone: the write would fail on it anyway, and says so
                }
                if (mariadb || e.getErrorCode() == 1193) {
                    LISTENERS.put(driver, NEVER); // this server cannot track them: not asked again on this connection
                }
                return null; // MySQL refused (inside a transaction after all?): at a later write
            }
            Listen listen = new Listen(new Tracker(!mariadb));
            driver.getServerSessionStateController().addSessionStateChangesListener(listen);
            LISTENERS.put(driver, listen);
            return listen.tracker;
        }
    }
}
