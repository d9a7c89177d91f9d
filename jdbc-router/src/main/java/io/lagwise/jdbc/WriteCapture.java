package io.lagwise.jdbc;

import io.lagwise.core.GtidSet;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The writes one connection made on the master that its consistency session's token does not hold
 * yet, and how their position gets there.
 *
 * <p>A write is noted when it is routed ({@link #wrote}) and counted as committed when it is
 * (auto-commit: once it ran; in a transaction: at {@code commit()} or at a statement that commits
 * implicitly). Its position is captured lazily — before the session next reads, or exports its
 * token — so a session that only writes pays nothing:
 *
 * <ul>
 *   <li>by the owning connection, on its own thread ({@link #capture}): {@code SELECT @@last_gtid} on
 *       the master connection the writes were made on; when that connection broke or was replaced,
 *       or the connection is closing, the master's current position instead (read when the session
 *       next needs it: it holds every committed write);</li>
 *   <li>by another connection of the same session, possibly on another thread ({@link #handOff}):
 *       never on this connection (JDBC connections are not for two threads); the committed writes
 *       become a deferred write of the session, resolved with the master's current position.</li>
 * </ul>
 *
 * PIN mode needs no position, only the write's time. A position that cannot be read leaves the
 * write's time alone in the token: readers then pin to the master for the pin window.
 *
 * <p>No lock is held across a round trip (a monitor held there would pin a virtual thread's
 * carrier): the counters are atomic, and a write leaves the session's pending list only once it is
 * in the token or stands there as a deferred write.
 */
final class WriteCapture {

    private final Cluster cluster;
    // Owner thread only.
    private ConsistencySession session;
    /** The master connection the pending writes were made on; null once it broke or was replaced. */
    private Physical on;
    private boolean positionLost;
    private boolean inTransaction;
    // Read by other threads of the same session.
    private volatile long committedAtNanos;
    /**
     * The own GTIDs of every committed write not yet covered, as the driver reported them (MySQL
     * Connector/J session tracking, see {@link TrackedGtids}); null when a write reported none, and
     * then the position is read the other way. Written before {@link #committed}.
     */
    private volatile GtidSet tracked;
    /**
     * Whether a committed write not yet covered may have committed after its statement returned (it
     * failed after it was sent, or its result was still streaming): a master probe sent in between
     * need not hold it. Set by the owner thread; cleared by its captures.
     */
    private volatile boolean unanswered;
    /** Whether every committed write since the last capture reported its GTID (owner thread). */
    private boolean allTracked = true;
    private volatile long committed;
    /** The committed count the session's token holds (or stands for as a deferred write); only grows. */
    private volatile long covered;
    private static final AtomicLongFieldUpdater<WriteCapture> COVERED = AtomicLongFieldUpdater.newUpdater(WriteCapture.class, "covered");

    WriteCapture(Cluster cluster) {
        this.cluster = cluster;
    }

    /** A statement that may write is about to run on {@code master}, in a transaction or not. */
    void wrote(Physical master, boolean autoCommit) {
        ConsistencySession current = cluster.sessions.current();
        if (session != current) {
            if (session != null && pending()) {
                capture(null, true); // a session switched under this connection: the old one keeps its writes
            }
            session = current;
        }
        if (on != master) {
            if (on != null && pending()) {
                positionLost = true; // @@last_gtid on the new connection would not hold the earlier writes
            }
            on = master;
        }
        if (!autoCommit) {
            inTransaction = true;
        }
        session.pending(this);
    }

    /**
     * The write routed by {@link #wrote} is about to be sent on {@code master}: from here, the GTIDs
     * its driver reports are its own (MySQL Connector/J; tracking is switched on first, once per
     * server connection). Called where a failure of the connection is the write's failure.
     *
     * @throws SQLException if the connection failed while tracking was switched on
     */
    void beforeStatement(Physical master) throws SQLException {
        if (master.node.tracksGtids && cluster.mode() != ReadYourWritesMode.PIN) {
            if (master.tracker == null) {
                master.tracker = TrackedGtids.tracker(master.conn);
            }
            if (master.tracker != null) {
                master.tracker.statementBegins();
            }
        }
    }

    /**
     * The statement ran or failed after it was sent: in auto-commit, or with an implicit commit, it
     * counts as committed. {@code answered}: it succeeded and left nothing open that writes later (a
     * result set, which may be updatable or still streaming): only then does its reply tell all of
     * what it committed.
     */
    void executed(boolean autoCommit, boolean implicitCommit, boolean answered) {
        if (autoCommit || implicitCommit) {
            committed(answered);
        }
    }

    /** A commit of the running transaction is about to be sent (by {@code commit()}, or by {@code setAutoCommit(true)}). */
    void commitBegins() {
        Physical p = on;
        if (inTransaction && p != null && p.tracker != null) {
            p.tracker.statementBegins();
        }
    }

    /** The running transaction committed ({@code answered}), or may have: the commit failed after it was sent. */
    void commit(boolean answered) {
        if (inTransaction) {
            committed(answered);
        }
    }

    /** The running transaction rolled back: its uncommitted writes are gone; committed ones stay pending. */
    void rollback() {
        inTransaction = false;
        if (session != null && !pending()) {
            session.done(this);
        }
    }

    /** The master connection {@code p} broke: the pending writes' position can no longer be read there. */
    void lost(Physical p) {
        if (on == p) {
            on = null;
            positionLost |= pending() || inTransaction;
        }
    }

    private void committed(boolean answered) {
        inTransaction = false;
        committedAtNanos = cluster.ticker.read();
        // The GTIDs the server reported for the statement (or the commit) that just ran; null when no
        // report came for it (it failed, or its result is still streaming) or the connection has none.
        Physical p = on;
        GtidSet own = p != null && p.tracker != null && p.tracker != TrackedGtids.NONE ? p.tracker.drain() : null;
        if (!answered) {
            own = null;
            unanswered = true;
        }
        allTracked &= own != null;
        GtidSet before = tracked;
        tracked = !allTracked ? null : before == null ? own : before.union(own);
        committed++; // volatile write after the time and the GTIDs: a reader that sees the count sees them
    }

    private boolean pending() {
        return committed > covered;
    }

    /**
     * From any thread: when the newest committed write not in the session's token yet was made
     * (ticker), if reading its position costs a round trip (its driver did not report its GTID);
     * else {@link ConsistencySession#NO_COSTLY_WRITE}.
     */
    long costlyWriteNanos() {
        long seq = committed;
        long at = committedAtNanos;
        GtidSet own = tracked; // read after the count, as in handOff
        return seq > covered && own == null ? at : ConsistencySession.NO_COSTLY_WRITE;
    }

    /**
     * On the owning thread: puts the committed writes into the session's token. {@code closing}
     * (or a lost connection) defers to the master's position instead of a round trip here.
     */
    void capture(Physical heldMaster, boolean closing) {
        ConsistencySession s = session;
        if (s == null) {
            return;
        }
        long seq = committed;
        if (seq > covered) {
            long at = committedAtNanos;
            ServerDialect dialect = cluster.master.dialect;
            GtidSet own = tracked;
            if (cluster.mode() == ReadYourWritesMode.PIN) {
                s.observeWrite(GtidSet.empty(), at);
            } else if (own != null) {
                if (!own.isEmpty()) {
                    s.observeWrite(own, at); // reported by the server with each write: no round trip
                } // empty: the writes made no GTID (session state only, or nothing changed)
            } else if (dialect == null) {
                s.unknownPosition(cluster, at); // a server not heard yet: no position to read
            } else if (closing || positionLost || on == null || on != heldMaster || dialect.lastGtid == null) {
                s.defer(cluster, at, !unanswered); // the master's position holds the write (MySQL: @@gtid_executed)
            } else {
                GtidSet position = lastGtid(on, dialect.lastGtid);
                if (position == null) {
                    s.defer(cluster, at, !unanswered);
                } else if (!position.isEmpty()) {
                    s.observeWrite(position, at);
                } // empty: this connection's writes made no GTID (session state only)
            }
            COVERED.accumulateAndGet(this, seq, Math::max);
            unanswered = false;
            positionLost = false;
            tracked = null;
            allTracked = true;
        }
        if (!inTransaction || closing) {
            inTransaction = false;
            s.done(this);
        }
    }

    /** The connection is aborted: no time to ask for a position; committed writes pin the session. */
    void abort() {
        ConsistencySession s = session;
        if (s != null && pending()) {
            s.unknownPosition(cluster, committedAtNanos);
            COVERED.accumulateAndGet(this, committed, Math::max);
        }
        if (s != null) {
            s.done(this);
        }
    }

    /**
     * From any thread: this connection's committed writes become a deferred write of {@code s},
     * resolved with the master's position (never a query on this connection).
     */
    void handOff(ConsistencySession s) {
        long seq = committed;
        if (seq <= covered) {
            return;
        }
        long at = committedAtNanos;
        GtidSet own = tracked; // read after the count: it holds at least the writes counted
        if (cluster.mode() == ReadYourWritesMode.PIN) {
            s.observeWrite(GtidSet.empty(), at);
        } else if (own != null) {
            if (!own.isEmpty()) {
                s.observeWrite(own, at);
            }
        } else {
            s.defer(cluster, at, !unanswered);
        }
        COVERED.accumulateAndGet(this, seq, Math::max);
    }

    /** {@code @@last_gtid} on the connection the writes were made on; null if it cannot be read. */
    private static GtidSet lastGtid(Physical p, String query) {
        try (Statement st = p.conn.createStatement(); ResultSet rs = st.executeQuery(query)) {
            String gtid = rs.next() ? rs.getString(1) : null;
            return gtid == null || gtid.isEmpty() ? GtidSet.empty() : GtidSet.parse(gtid);
        } catch (SQLException | IllegalArgumentException e) {
            return null; // the connection's own statements will find out whether it broke
        }
    }
}
