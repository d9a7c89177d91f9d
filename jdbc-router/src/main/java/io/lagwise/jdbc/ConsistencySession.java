package io.lagwise.jdbc;

import io.lagwise.core.ConsistencyToken;

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

    private final Sessions owner;
    private final Sessions.Binding opening;
    private volatile ConsistencyToken token = ConsistencyToken.none();
    /** The replica this session read from last (weakly: a closed data source must not stay reachable). */
    private volatile java.lang.ref.WeakReference<Node> lastReplica;
    /** Until when reads go to the master because a write's position could not be read (epoch ms). */
    volatile long pinnedUntil;

    ConsistencySession(Sessions owner, boolean bindToCurrentThread) {
        this.owner = owner;
        this.opening = bindToCurrentThread ? owner.bind(this) : null;
    }

    Node lastReplica() {
        java.lang.ref.WeakReference<Node> r = lastReplica;
        return r == null ? null : r.get();
    }

    void lastReplica(Node node) {
        lastReplica = new java.lang.ref.WeakReference<>(node);
    }

    /**
     * When the newest committed write whose position was not read yet was made (epoch ms; 0: none),
     * and where to read it: the master's position, read when the session next needs its token.
     */
    private long deferredWriteAt;
    /** Counts deferrals, so that a resolution started before a later deferral does not clear it. */
    private long deferrals;
    private java.lang.ref.WeakReference<Cluster> deferredCluster;

    /** A write was committed on {@code cluster}'s master at {@code atMillis}; its position is read later. */
    synchronized void defer(Cluster cluster, long atMillis) {
        deferredWriteAt = Math.max(deferredWriteAt, atMillis);
        deferrals++;
        deferredCluster = new java.lang.ref.WeakReference<>(cluster);
    }

    /**
     * Turns a deferred write into a position: the master's current one, which holds it (one query,
     * on {@code heldMaster} when the caller holds a master connection, else on a pooled one). If it
     * cannot be read, the token keeps the write's time without a position, so that readers here and
     * on any instance the token travels to read from the master for the pin window.
     */
    void resolveDeferred(java.sql.Connection heldMaster) {
        long at;
        long seen;
        Cluster cluster;
        synchronized (this) {
            at = deferredWriteAt;
            if (at == 0) {
                return;
            }
            seen = deferrals;
            cluster = deferredCluster.get();
        }
        io.lagwise.core.GtidSet position = cluster == null ? null : cluster.masterPosition(heldMaster);
        synchronized (this) {
            if (position != null) {
                token = token.merge(ConsistencyToken.of(position, at));
            } else {
                token = token.merge(ConsistencyToken.of(io.lagwise.core.GtidSet.empty(), at));
                if (cluster != null) {
                    pinnedUntil = Math.max(pinnedUntil, System.currentTimeMillis() + cluster.pinWindowMillis());
                }
            }
            if (deferrals == seen) {
                deferredWriteAt = 0;
                deferredCluster = null;
            }
        }
    }

    /** Connections of this session with writes whose position is not in the token yet. */
    private final java.util.List<RoutingConnection> pending = new java.util.ArrayList<>(1);

    synchronized void pending(RoutingConnection connection) {
        if (!pending.contains(connection)) {
            pending.add(connection);
        }
    }

    synchronized void done(RoutingConnection connection) {
        pending.remove(connection);
    }

    /** For tests: connections whose writes are not in the token yet. */
    synchronized int pendingConnections() {
        return pending.size();
    }

    /** The newest position this session wrote (or imported), including writes not yet captured. */
    public ConsistencyToken token() {
        return token(null);
    }

    /** As {@link #token()}; a deferred write's position is read on {@code heldMaster} if given. */
    ConsistencyToken token(java.sql.Connection heldMaster) {
        RoutingConnection[] open;
        synchronized (this) {
            if (pending.isEmpty() && deferredWriteAt == 0) {
                return token;
            }
            open = pending.toArray(new RoutingConnection[0]);
        }
        for (RoutingConnection c : open) {
            c.captureFor(this);
        }
        resolveDeferred(heldMaster);
        return token;
    }

    /** Merges {@code other} into this session's token: it will not read behind either. */
    public synchronized void observe(ConsistencyToken other) {
        token = token.merge(other);
    }

    /** This session's token as a short string; empty when it has none. */
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
            throw new IllegalStateException("a thread's own default session cannot be attached elsewhere;"
                    + " open one with LagwiseDataSource.openSession()");
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
