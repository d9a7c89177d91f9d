package io.lagwise.jdbc;

import io.lagwise.core.ConsistencyToken;
import io.lagwise.core.GtidSet;
import io.lagwise.core.Ticker;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The scope of read-your-writes: it holds the token of the newest write made through it, and reads
 * made through it never read behind that token. By default each thread has one of its own, made on
 * first use; a framework opens one explicitly with {@link LagwiseDataSource#openSession()} for a
 * unit of work (a web request), carries its token elsewhere with {@link #export()} and
 * {@link #importToken(String)}, and can use it on another thread with {@link #attach()}.
 *
 * <pre>{@code
 * try (ConsistencySession session = ds.openSession()) {
 *     session.importToken(request.getHeader("X-Consistency-Token"));   // may be null
 *     ... JDBC as usual ...
 *     response.setHeader("X-Consistency-Token", session.export());
 * }
 * }</pre>
 *
 * Thread-safe: the token is replaced atomically.
 */
public final class ConsistencySession implements AutoCloseable {

    /** A day, in nanoseconds: older than any pin window, and the most an imported token's age counts for. */
    private static final long LONG_AGO = 86_400_000_000_000L;

    private final Sessions owner;
    private final Sessions.Binding opening;
    private final Ticker ticker;
    private volatile ConsistencyToken token = ConsistencyToken.none();
    /** The replica this session read from last (weakly: a closed data source must not stay reachable). */
    private volatile WeakReference<Node> lastReplica;
    /** When the newest write in the token was made, on the data source's ticker; meaningful once the token is not empty. */
    volatile long lastWriteNanos;
    /**
     * Whether the token's newest position is this session's own write, timed on this ticker (not an
     * imported token's, timed by another clock, nor the master's position merged for monotonic reads):
     * only then does a wait for it teach how long a replica takes.
     */
    volatile boolean ownWriteNewest;
    /**
     * When the master had the token's position (ticker): a write's own GTID, when the write was made; a
     * master position standing in for writes, when it was read. A wait for the token then times how
     * long a replica takes to show what the master had — not how long ago the session wrote (a
     * master position read long after the write holds other sessions' later writes too).
     */
    volatile long positionAtNanos;
    /** Until when (ticker) reads go to the master because a write's position could not be read. */
    volatile long pinnedUntilNanos;
    /** Whether {@link #pinnedUntilNanos} was ever set: until then a read need not look at the clock. */
    volatile boolean pinned;

    ConsistencySession(Sessions owner, boolean bindToCurrentThread, Ticker ticker) {
        this.owner = owner;
        this.ticker = ticker;
        this.pinnedUntilNanos = ticker.read();
        this.lastWriteNanos = pinnedUntilNanos - LONG_AGO; // no write yet: before any window
        this.positionAtNanos = lastWriteNanos;
        this.opening = bindToCurrentThread ? owner.bind(this) : null;
    }

    Node lastReplica() {
        WeakReference<Node> r = lastReplica;
        return r == null ? null : r.get();
    }

    void lastReplica(Node node) {
        lastReplica = new WeakReference<>(node);
    }

    /**
     * A read-your-writes read ran on the master: it may have seen more than the token (other sessions'
     * writes), so the next read on a replica is a move, behind the barrier.
     */
    void readMaster(Node master) {
        if (lastReplica() != master) {
            lastReplica(master);
        }
    }

    /**
     * When the newest committed write whose position was not read yet was made (ticker; valid while
     * {@code deferred}), and where to read it: the master's position, read when the session next
     * needs its token.
     */
    private long deferredAtNanos;
    private boolean deferred;
    private boolean deferredAnswered;
    /** Counts deferrals, so that a resolution started before a later deferral does not clear it. */
    private long deferrals;
    private WeakReference<Cluster> deferredCluster;

    /** A write was committed on {@code cluster}'s master at {@code atNanos}; its position is read later. */
    synchronized void defer(Cluster cluster, long atNanos) {
        defer(cluster, atNanos, true);
    }

    /**
     * As above; {@code answered}: the writes are known to have committed by {@code atNanos} (not a
     * statement that failed after it was sent, nor a result still streaming), so that a master probe
     * sent after that moment holds them.
     */
    synchronized void defer(Cluster cluster, long atNanos, boolean answered) {
        deferredAnswered = deferred ? deferredAnswered && answered : answered;
        deferredAtNanos = deferred ? Math.max(deferredAtNanos, atNanos) : atNanos;
        deferred = true;
        deferrals++;
        if (deferredCluster == null || deferredCluster.get() != cluster) {
            deferredCluster = new WeakReference<>(cluster); // once per deferral, not once per write
        }
    }

    /**
     * Turns a deferred write into a position: that of a master probe sent after the write, if there
     * was one since (no query); else the master's current one, which holds it (one query,
     * on {@code heldMaster} when the caller holds a master connection, else on a pooled one). If it
     * cannot be read, the token keeps the write's time without a position, so that readers here and
     * on any instance the token travels to read from the master for the pin window.
     */
    void resolveDeferred(java.sql.Connection heldMaster) {
        long at;
        long seen;
        Cluster cluster;
        boolean answered;
        synchronized (this) {
            if (!deferred) {
                return;
            }
            answered = deferredAnswered;
            at = deferredAtNanos;
            seen = deferrals;
            cluster = deferredCluster.get();
        }
        // A master probe sent after the write holds it: no query, and a position replicas reach sooner.
        Node.Probed probed = cluster == null || !answered ? null : cluster.probedAfter(at);
        GtidSet position = probed == null ? null : probed.position();
        long positionAt = probed == null ? 0 : probed.readAtNanos();
        if (position == null && cluster != null) {
            long sent = ticker.read();
            position = cluster.masterPosition(heldMaster);
            positionAt = sent + (ticker.read() - sent) / 2; // the master read it about half way
        }
        if (position != null) {
            observeWrite(position, at, positionAt);
        } else if (cluster != null) {
            unknownPosition(cluster, at);
        } else {
            observeWrite(GtidSet.empty(), at);
        }
        synchronized (this) {
            if (deferrals == seen) {
                deferred = false;
                deferredCluster = null;
            }
        }
    }

    /** A write of this session at {@code atNanos} (ticker) is at {@code position} (empty: unknown). */
    synchronized void observeWrite(GtidSet position, long atNanos) {
        observeWrite(position, atNanos, atNanos);
    }

    /**
     * As above, {@code position} being what the master had at {@code positionAtNanos}: the write's own
     * GTID at the write's time, or a master position holding the write, read later.
     */
    synchronized void observeWrite(GtidSet position, long atNanos, long positionAt) {
        GtidSet before = token.position();
        // Whether the token's position is now this write's (or holds it beside another domain): only then
        // is the newest position the session's own, timed here. A write behind the token (an imported
        // or barrier position ahead of it; a write that made no GTID reporting an older one) leaves the
        // token, and what a wait for it teaches, as they were.
        boolean becomesNewest = position.isEmpty() || position.isAtLeast(before) || !before.isAtLeast(position);
        if (position.isAtLeast(before)) {
            positionAtNanos = positionAt; // the token's position is this one
        } else if (!before.isAtLeast(position) && positionAt - positionAtNanos > 0) {
            positionAtNanos = positionAt; // merged: the later of the two
        }
        long now = ticker.read();
        long wall = Math.max(0, System.currentTimeMillis() - Math.max(0, now - atNanos) / 1_000_000);
        token = token.merge(ConsistencyToken.of(position, wall));
        if (atNanos - lastWriteNanos > 0) {
            lastWriteNanos = atNanos;
        }
        if (becomesNewest) {
            ownWriteNewest = true;
        }
        // A read on the master before this write keeps its mark: the write's own GTID need not stand for
        // what that read saw (a write that made no GTID reports an older one; other GTID domains), so
        // the next replica read passes the barrier.
    }

    /**
     * The writes are committed but their position is unknown: never fail them now. The session
     * (and any instance its token travels to) reads from the master for the pin window, whatever
     * older position its token holds.
     */
    synchronized void unknownPosition(Cluster cluster, long atNanos) {
        observeWrite(GtidSet.empty(), atNanos);
        long until = ticker.read() + cluster.pinWindow.nanos();
        if (!pinned || until - pinnedUntilNanos > 0) {
            pinnedUntilNanos = until;
        }
        pinned = true;
    }

    /** Connections of this session with writes whose position is not in the token yet. */
    private final List<WriteCapture> pending = new ArrayList<>(1);

    synchronized void pending(WriteCapture capture) {
        if (!pending.contains(capture)) {
            pending.add(capture);
        }
    }

    synchronized void done(WriteCapture capture) {
        pending.remove(capture);
    }

    /** {@link #costlyWriteNanos()}: no such write. */
    static final long NO_COSTLY_WRITE = Long.MIN_VALUE;

    /**
     * When the newest of the session's committed writes whose position the token does not hold yet,
     * and costs a round trip to read, was made (ticker); {@link #NO_COSTLY_WRITE} when there is none.
     * Lets a read be priced before that round trip is paid: a read that goes to the master needs no
     * position.
     */
    long costlyWriteNanos() {
        long at = NO_COSTLY_WRITE;
        WriteCapture[] open;
        synchronized (this) {
            if (pending.isEmpty() && !deferred) {
                return NO_COSTLY_WRITE;
            }
            if (deferred) {
                at = deferredAtNanos;
            }
            open = pending.toArray(new WriteCapture[0]);
        }
        for (WriteCapture c : open) {
            long w = c.costlyWriteNanos();
            if (w != NO_COSTLY_WRITE && (at == NO_COSTLY_WRITE || w - at > 0)) {
                at = w;
            }
        }
        return at;
    }

    /** For tests: whether a committed write waits for the master's position. */
    synchronized boolean hasDeferredWrite() {
        return deferred;
    }

    /** For tests: connections whose writes are not in the token yet. */
    synchronized int pendingConnections() {
        return pending.size();
    }

    /** The newest position this session wrote (or imported), including writes not yet captured. */
    public ConsistencyToken token() {
        return token(null, null);
    }

    /**
     * As {@link #token()}, asked by the connection that owns {@code own} (its writes are captured on
     * its own master connection {@code heldMaster}); the writes of the session's other connections
     * are handed off as deferred writes, resolved on {@code heldMaster} if given.
     */
    ConsistencyToken token(WriteCapture own, Physical heldMaster) {
        WriteCapture[] open;
        synchronized (this) {
            if (pending.isEmpty() && !deferred) {
                return token;
            }
            open = pending.toArray(new WriteCapture[0]);
        }
        for (WriteCapture c : open) {
            if (c == own) {
                c.capture(heldMaster, false);
            } else {
                c.handOff(this);
            }
        }
        resolveDeferred(heldMaster == null ? null : heldMaster.conn);
        return token;
    }

    /** The token as it stands, without reading any write's position. */
    ConsistencyToken peek() {
        return token;
    }

    /** Merges a position the session may have read (the master's, at a move between replicas); the time stays. */
    synchronized void observePosition(GtidSet position) {
        token = token.merge(ConsistencyToken.of(position, token.writtenAtMillis()));
        ownWriteNewest = false;
    }

    /**
     * Merges {@code other} into this session's token: it will not read behind either.
     *
     * @throws NullPointerException if {@code other} is null
     */
    public synchronized void observe(ConsistencyToken other) {
        java.util.Objects.requireNonNull(other, "token");
        if (other.isEmpty()) {
            return;
        }
        token = token.merge(other);
        ownWriteNewest = false;
        // The token's time is another instance's wall clock: its age becomes a time on this ticker.
        long age = Math.max(0, System.currentTimeMillis() - other.writtenAtMillis());
        long at = ticker.read() - Math.min(age * 1_000_000L, LONG_AGO);
        if (at - lastWriteNanos > 0) {
            lastWriteNanos = at;
        }
    }

    /**
     * This session's token as a short string; empty when it has none.
     *
     * @throws IllegalStateException if the token holds more GTID domains than a token can carry
     *     ({@link io.lagwise.core.GtidSet#MAX_DOMAINS}); see {@link ConsistencyToken#isExportable()}
     */
    public String export() {
        ConsistencyToken t = token();
        return t.isEmpty() ? "" : t.export();
    }

    /**
     * Merges a token made by {@link #export()} elsewhere. Null or empty is ignored.
     *
     * @throws IllegalArgumentException if it is not a well-formed token (untrusted input)
     */
    public void importToken(String exported) {
        if (exported == null || exported.isEmpty()) {
            return;
        }
        ConsistencyToken t = ConsistencyToken.parse(exported);
        long now = System.currentTimeMillis();
        if (t.writtenAtMillis() > now) {
            t = ConsistencyToken.of(t.position(), now); // a time in the future would pin reads forever
        }
        observe(t);
    }

    /**
     * Makes this the current thread's session until the returned scope is closed (the previous one
     * comes back): for work on another thread.
     */
    public Scope attach() {
        if (owner == null) {
            throw new IllegalStateException("a thread's own default session cannot be attached elsewhere; open one with LagwiseDataSource.openSession()");
        }
        Sessions.Binding b = owner.bind(this);
        return b::close;
    }

    /** A thread's use of a session; closing it restores the thread's previous session. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        /** Restores the thread's previous session. */
        @Override
        void close();
    }

    /** Unbinds this session from the thread that opened it; its token stays readable. */
    @Override
    public void close() {
        if (opening != null) {
            opening.close();
        }
    }

    @Override
    public String toString() {
        return "ConsistencySession[" + token + "]";
    }
}
