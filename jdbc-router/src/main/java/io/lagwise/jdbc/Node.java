package io.lagwise.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lagwise.core.Health;
import io.lagwise.core.LagSource;
import io.lagwise.core.NodeRole;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.core.ReplicaView;
import io.lagwise.core.Ticker;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server as the router sees it: its pool, and its health as the router last saw it.
 *
 * <p>Health here is what failures teach: a failure to reach the server marks the node down at once
 * (a pool that is merely full does not), and it is tried again after a backoff (1 s, doubling to
 * 30 s) — a borrowed connection that proves valid brings it back. Read without locks: a few
 * volatile fields.
 */
final class Node implements ReplicaView {

    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final long FIRST_BACKOFF = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BACKOFF = TimeUnit.SECONDS.toNanos(30);

    final String dataSourceName;
    final JdbcUrl url;
    /**
     * What the node is now: as configured until the monitor follows a promotion ({@link
     * Cluster#follow}). Its pool is the pool for that role (see {@link #role(NodeRole)}).
     */
    volatile NodeRole role;
    final String region;
    final boolean backup;
    /** The pool of the current role. */
    volatile HikariDataSource pool;
    final int maxPoolSize;
    /** Each role's pool settings (a master's pool writes; a replica's is read-only, with a read timeout). */
    private final java.util.function.Function<NodeRole, HikariConfig> configs;
    /** Pools of a role the node left, closed once their last borrowed connection is back. */
    private final java.util.List<HikariDataSource> draining = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every borrowed connection, with the pool it came from (after a role change, evicting needs the owner). */
    private final java.util.Map<Connection, Lease> leases = new java.util.concurrent.ConcurrentHashMap<>();
    /** Threads waiting in {@link #borrow()} for a connection: a node found down wakes them at once. */
    private final java.util.Set<Waiter> waiters = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A borrowed connection: its pool, and when the statement running on it began (ticker; 0 when
     * none runs), so that the monitor can abort statements stuck on a server that stopped answering.
     */
    static final class Lease {
        final HikariDataSource pool;
        volatile long executingSince;

        Lease(HikariDataSource pool) {
            this.pool = pool;
        }
    }

    /** A borrow that gave up waiting for the pool: the node was found down meanwhile. */
    static final class GaveUp extends java.sql.SQLTransientConnectionException {
        private static final long serialVersionUID = 1L;

        GaveUp(String message) {
            super(message, "08001");
        }
    }

    /** A thread waiting for a pooled connection; woken (interrupted) when the node is found down. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        boolean done;
        boolean woken;
    }
    /** Whether this node's connections report each write's GTID when it is the master (MySQL Connector/J). */
    final boolean tracksGtidsAsMaster;
    /** What the last probe found about the node's role (followed promotions); null until one did. */
    volatile io.lagwise.core.MasterElection.Evidence evidence;
    /** How many such words the node has given (the monitor's election counts them, under its lock). */
    long words;
    private final Ticker ticker;
    private final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder statementsServed = new LongAdder();
    /** User and password for the monitor's own connection; never printed. */
    final Properties monitorCredentials;

    // What the monitor last found (see ReplicaMonitor); read by routing and snapshots.
    volatile Health health = Health.UP;
    /** What the server speaks, as it said at the last connection; null until it has answered once. */
    volatile ServerDialect dialect;
    /**
     * Whether this master's connections report each write's GTID (MySQL Connector/J with {@code
     * trackSessionState}, see {@link TrackedGtids}); set at build.
     */
    volatile boolean tracksGtids;
    /**
     * How long after a commit this replica shows it, as seen from here: learned from read-your-writes
     * waits (EWMA), negative until one has been timed. See {@link #applyDelayNanos()}.
     */
    volatile long learnedApplyDelayNanos = -1;
    /**
     * Whether the server gives every transaction a GTID ({@link ServerDialect#writesGtids}), as the
     * last connection that asked found; until one has, assumed.
     */
    volatile boolean writesGtids = true;
    volatile long rttNanos;
    volatile long lagNanos = -1;
    volatile LagSource lagSource;
    volatile long lagMeasuredAt;
    volatile long timelineLagNanos = -1;
    volatile long heartbeatLagNanos = -1;
    volatile long heartbeatMeasuredAt;
    volatile long secondsBehindMaster = -1;
    volatile String gtidPosition = "";
    /** The newest position this node is known to have (probes and successful waits); only grows. */
    volatile io.lagwise.core.GtidSet knownPosition = io.lagwise.core.GtidSet.empty();
    volatile String lastError = "";
    /** The master's position as its last probe read it, and when that probe was sent (ticker); null until one was. */
    volatile Probed probed;

    /**
     * A master position read by a probe sent at {@code sentAtNanos} (it holds every write committed
     * before then), answered at {@code readAtNanos} less half the round trip (about when the master read it).
     */
    record Probed(long sentAtNanos, long readAtNanos, io.lagwise.core.GtidSet position) {}
    /** When the monitor's probe last got an answer (ticker); a read that timed out while it did was merely slow. */
    volatile long answeredAt;

    private volatile boolean down;
    private volatile long retryAt;
    private volatile long downSince;
    private volatile String downReason = "";
    private long backoff = FIRST_BACKOFF;

    /** A node over one pool configuration, whatever its role (tests). */
    Node(String dataSourceName, JdbcUrl url, NodeRole role, String region, boolean backup, HikariConfig config,
            Properties monitorCredentials, Ticker ticker) {
        this(dataSourceName, url, role, region, backup, r -> {
            HikariConfig copy = new HikariConfig();
            config.copyStateTo(copy);
            copy.setPoolName(config.getPoolName() + (r == role ? "" : "." + r.name().toLowerCase(java.util.Locale.ROOT)));
            return copy;
        }, false, monitorCredentials, ticker);
    }

    /**
     * @param configs each role's pool settings, asked when the node first takes that role
     * @param tracksGtidsAsMaster whether the master pool's connections report each write's GTID
     */
    Node(String dataSourceName, JdbcUrl url, NodeRole role, String region, boolean backup,
            java.util.function.Function<NodeRole, HikariConfig> configs, boolean tracksGtidsAsMaster,
            Properties monitorCredentials, Ticker ticker) {
        this.dataSourceName = dataSourceName;
        this.monitorCredentials = monitorCredentials;
        this.url = url;
        this.role = role;
        this.region = region;
        this.backup = backup;
        this.ticker = ticker;
        this.configs = configs;
        this.tracksGtidsAsMaster = tracksGtidsAsMaster;
        this.tracksGtids = tracksGtidsAsMaster && role == NodeRole.MASTER;
        HikariConfig config = configs.apply(role);
        this.maxPoolSize = config.getMaximumPoolSize();
        this.pool = new HikariDataSource(config);
    }

    /** A node without a pool, for tests of decisions that never borrow a connection. */
    Node(JdbcUrl url, NodeRole role, String region, boolean backup, Ticker ticker) {
        this.dataSourceName = "test";
        this.monitorCredentials = new Properties();
        this.url = url;
        this.role = role;
        this.region = region;
        this.backup = backup;
        this.ticker = ticker;
        this.configs = null;
        this.tracksGtidsAsMaster = false;
        this.maxPoolSize = 10;
        this.pool = null;
        this.dialect = ServerDialect.MARIADB;
    }

    /** {@code master db-oslo-1:3306} or {@code replica db-oslo-2:3306 (oslo)}: for messages. */
    String label() {
        return role == NodeRole.MASTER ? "master " + url.hostAndPort()
                : "replica " + url.hostAndPort() + (region.isEmpty() ? "" : " (" + region + (backup ? ", backup" : "") + ")");
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public boolean backup() {
        return backup;
    }

    /**
     * Healthy by the monitor (replicating, under the maximum lag), up (or due for a retry), and not
     * every pooled connection in use by this router.
     */
    @Override
    public boolean usable() {
        return health == Health.UP && available() && inFlight.get() < maxPoolSize;
    }

    /** Whether the monitor finds this node fit for reads: healthy and up (its pool's use aside). */
    boolean readable() {
        return health == Health.UP && available();
    }

    @Override
    public long roundTripNanos() {
        return rttNanos;
    }

    /** This node as it is now, for {@link LagwiseDataSource#cluster()} and listeners. */
    NodeSnapshot snapshot(long now) {
        boolean replica = role == NodeRole.REPLICA;
        long lag = lagNanos;
        com.zaxxer.hikari.HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        return new NodeSnapshot(url.hostAndPort(), role, region, backup, health,
                replica && lag >= 0 ? Optional.of(Duration.ofNanos(lag)) : Optional.empty(),
                replica ? Optional.ofNullable(lagSource) : Optional.empty(),
                heartbeatLagNanos >= 0 ? Optional.of(Duration.ofNanos(heartbeatLagNanos)) : Optional.empty(),
                replica && timelineLagNanos >= 0 ? Optional.of(Duration.ofNanos(timelineLagNanos)) : Optional.empty(),
                replica && secondsBehindMaster >= 0 ? OptionalLong.of(secondsBehindMaster) : OptionalLong.empty(),
                lagMeasuredAt == 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - lagMeasuredAt)),
                gtidPosition, rttNanos > 0 ? Optional.of(Duration.ofNanos(rttNanos)) : Optional.empty(),
                lastError, bean == null ? 0 : bean.getActiveConnections(),
                bean == null ? 0 : bean.getTotalConnections(), statementsServed.sum());
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    /** Up, or down long enough that the next borrow should try it again. */
    boolean available() {
        // While the monitor finds it unreachable, its probes (not a borrow waiting out a pool's
        // timeout) find it back. A probe refused for another reason (the monitor's own credentials)
        // leaves the retries to borrows.
        return !down || (!(health == Health.DOWN && unreachable) && ticker.read() - retryAt >= 0);
    }

    /** Whether the monitor's last failed probe found the server unreachable (refused, timed out), not merely refusing the monitor. */
    volatile boolean unreachable;

    boolean isDown() {
        return down;
    }

    String downReason() {
        return downReason;
    }

    Duration downFor() {
        return down ? Duration.ofNanos(ticker.read() - downSince) : Duration.ZERO;
    }

    /**
     * Borrows a connection and counts it in flight; a connection-class failure marks the node down.
     *
     * @throws SQLException the pool's or driver's exception
     */
    Connection borrow() throws SQLException {
        Connection c;
        HikariDataSource from = pool;
        Waiter w = new Waiter();
        waiters.add(w);
        try {
            try {
                c = from.getConnection();
            } catch (SQLException e) {
                if (from == pool || !from.isClosed()) {
                    throw e;
                }
                from = pool; // the node changed role and its old pool closed meanwhile: the new one
                c = from.getConnection();
            }
        } catch (SQLException e) {
            if (finish(w)) {
                // the monitor (or another borrower) found the server gone while this one waited for
                // the pool to connect: fail now, not at the end of the pool's connection timeout
                SQLException down = new GaveUp(label() + " (it went down while this waited for a connection to it: "
                        + downReason + ")");
                down.addSuppressed(e);
                throw down;
            }
            if (SqlErrors.isServerUnreachable(e)) {
                markDown(e);
            }
            throw e;
        } catch (RuntimeException | Error e) {
            finish(w);
            throw e;
        }
        finish(w);
        inFlight.incrementAndGet();
        leases.put(c, new Lease(from)); // the role may change before it is back: eviction must find its pool
        if (down) {
            // The pool may hand out an idle connection without checking it: prove the server is back.
            boolean alive;
            try {
                alive = c.isValid(2);
            } catch (SQLException e) {
                alive = false;
            }
            if (!alive) {
                evict(c);
                SQLException e = new java.sql.SQLTransientConnectionException(dataSourceName + ": " + label() + " is still down", "08001");
                markDown(e);
                throw e;
            }
            markUp();
        }
        return c;
    }

    /** Ends a wait: whether it was woken (the interrupt is then cleared, having served its purpose). */
    private boolean finish(Waiter w) {
        waiters.remove(w);
        boolean woken;
        synchronized (w) {
            w.done = true;
            woken = w.woken;
        }
        if (woken) {
            Thread.interrupted();
        }
        return woken;
    }

    /** Wakes every thread waiting for a connection to this node (it is down: they fail at once). */
    private void wakeWaiters() {
        for (Waiter w : waiters) {
            synchronized (w) {
                if (!w.done) {
                    w.woken = true;
                    w.thread.interrupt(); // HikariCP gives up its wait on an interrupt
                }
            }
        }
    }

    /** The lease of a connection borrowed here; null if it is not (any more). */
    Lease lease(Connection c) {
        return c == null ? null : leases.get(c);
    }

    /**
     * Aborts every statement running on this node ({@link Connection#abort}): the monitor found it
     * not answering, so they would wait out their socket timeouts. A read aborted so runs again on
     * another node; a write fails, naming the node, and is never run again.
     *
     * @return how many were aborted
     */
    int abortRunning() {
        java.util.List<Connection> running = new java.util.ArrayList<>();
        for (java.util.Map.Entry<Connection, Lease> e : leases.entrySet()) {
            if (e.getValue().executingSince != 0) {
                running.add(e.getKey());
            }
        }
        if (running.isEmpty()) {
            return 0;
        }
        java.util.List<Connection> toAbort = new java.util.ArrayList<>();
        for (Connection c : running) {
            // MariaDB Connector/J's abort first connects to the server to send KILL, which a frozen
            // server never answers: its socket is closed instead, which frees the reading thread at once
            if (!DriverSockets.close(c)) {
                toAbort.add(c);
            }
        }
        if (!toAbort.isEmpty()) {
            // on a thread of its own: a driver's abort may wait on the server it gives up on
            Thread aborter = new Thread(() -> {
                for (Connection c : toAbort) {
                    try {
                        c.abort(Runnable::run);
                    } catch (SQLException | RuntimeException failure) {
                        log.debug("{}: aborting a statement on {} failed: {}", dataSourceName, label(), failure.toString());
                    }
                }
            }, "lagwise-" + dataSourceName + "-abort");
            aborter.setDaemon(true);
            aborter.start();
        }
        log.warn("{}: aborted {} statement(s) running on {}, which stopped answering", dataSourceName, running.size(), label());
        return running.size();
    }

    /**
     * What a connection found about GTIDs on this server; the first time a master is found without
     * them, one WARN (and an INFO when it has them again).
     */
    synchronized void writesGtids(boolean writes) {
        boolean before = writesGtids;
        writesGtids = writes;
        if (before != writes && role == NodeRole.MASTER) {
            if (!writes) {
                log.warn("{}: {} gives transactions no GTIDs (gtid_mode is not ON): read-your-writes reads from"
                        + " the master for the pin window after a session's write (PIN mode), and lag comes from"
                        + " Seconds_Behind_Master/Source, in whole seconds, unless heartbeat() is on", dataSourceName, label());
            } else {
                log.info("{}: {} gives transactions GTIDs again: read-your-writes as configured", dataSourceName, label());
            }
        }
    }

    /**
     * How long after a commit this replica is expected to show it: the larger of the monitor's lag
     * and what waits here measured (the GTID timeline reads low when writes are sparse: its
     * resolution is the monitor interval).
     */
    long applyDelayNanos() {
        long learned = learnedApplyDelayNanos;
        if (learned > 0) {
            // Without new samples (reads went to the master), what was learned halves every
            // LEARNED_HALF_LIFE: the monitor's lag takes over again.
            long age = ticker.read() - learnedAt;
            if (age > LEARNED_HALF_LIFE_NANOS) {
                learned = age >= 32 * LEARNED_HALF_LIFE_NANOS ? 0 : learned >> (age / LEARNED_HALF_LIFE_NANOS);
            }
        }
        return Math.max(Math.max(0, lagNanos), learned);
    }

    private static final long LEARNED_HALF_LIFE_NANOS = 5_000_000_000L;
    private volatile long learnedAt;

    /**
     * A read-your-writes wait for the session's own write ran here and ended {@code sinceWriteNanos}
     * after the write committed, having taken {@code waitNanos}; nothing longer than {@code capNanos}
     * is learned. A wait the write arrived during is a sample (EWMA). A wait that found it already
     * there (about a round trip) says only that the delay is at most that long: it can lower what was
     * learned, never raise it or seed it (a session that reads long after its write must not teach a
     * long delay). A timeout is a lower bound: it pulls what was learned up a quarter of the way.
     */
    void waited(long sinceWriteNanos, long waitNanos, boolean timedOut, long capNanos) {
        long sinceWrite = Math.min(Math.max(0, sinceWriteNanos), capNanos);
        long previous = learnedApplyDelayNanos;
        if (timedOut) {
            // at least this long: it pulls what was learned up, a quarter of the way (one timeout in
            // a spike must not send every later read past the replica)
            if (sinceWrite > previous) {
                learnedApplyDelayNanos = previous < 0 ? sinceWrite : previous + (sinceWrite - previous) / 4;
                learnedAt = ticker.read();
            }
            return;
        }
        long roundTrip = Math.max(rttNanos, 0);
        long sample = Math.max(0, sinceWrite - roundTrip / 2);
        if (waitNanos <= roundTrip + roundTrip / 2 + 500_000L) {
            if (previous >= 0 && sample < previous) {
                learnedApplyDelayNanos = sample; // it was there already: at most this long
                learnedAt = ticker.read();
            }
        } else {
            learnedApplyDelayNanos = previous < 0 ? sample : previous + (sample - previous) / 4; // EWMA, weight 1/4
            learnedAt = ticker.read();
        }
    }

    /** Records that this node has at least {@code position}. */
    synchronized void advance(io.lagwise.core.GtidSet position) {
        knownPosition = knownPosition.union(position);
    }

    /** Gives a borrowed connection back to the pool. */
    void release(Connection c) {
        inFlight.decrementAndGet();
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("{}: closing a connection of {} failed: {}", dataSourceName, label(), e.toString());
        }
        leases.remove(c);
        if (!draining.isEmpty()) {
            closeDrained();
        }
    }

    /** Gives back a connection that broke: the pool drops it instead of handing it out again. */
    void evict(Connection c) {
        inFlight.decrementAndGet();
        Lease lease = leases.remove(c);
        (lease != null ? lease.pool : pool).evictConnection(c);
        if (!draining.isEmpty()) {
            closeDrained();
        }
    }

    /**
     * Takes a new role (a promotion followed, or a demotion): later borrows use that role's pool,
     * made on first use; the previous role's pool takes no more borrows and closes once the
     * connections borrowed from it are back (a transaction on it fails on its next statement: see
     * {@code ConnectionRouting}). The tracking of write GTIDs follows the role.
     */
    synchronized void role(NodeRole next) {
        if (next == role) {
            return;
        }
        HikariDataSource previous = pool;
        HikariDataSource reused = null;
        for (HikariDataSource d : draining) {
            if (d.getPoolName().equals(configs.apply(next).getPoolName())) {
                reused = d; // flipped back before the old pool drained: take it up again
            }
        }
        if (reused != null) {
            draining.remove(reused);
            pool = reused;
        } else {
            pool = new HikariDataSource(configs.apply(next));
        }
        role = next;
        tracksGtids = tracksGtidsAsMaster && next == NodeRole.MASTER;
        draining.add(previous);
        try {
            previous.getHikariConfigMXBean().setMinimumIdle(0); // it must not open new ones while it drains
            previous.getHikariPoolMXBean().softEvictConnections(); // idle ones close now, borrowed ones on return
        } catch (RuntimeException e) {
            log.debug("{}: evicting the {} pool of {}: {}", dataSourceName, previous.getPoolName(), label(), e.toString());
        }
        closeDrained();
    }

    /** Closes the pools of a left role whose borrowed connections are all back. */
    void closeDrained() {
        for (HikariDataSource d : draining) {
            com.zaxxer.hikari.HikariPoolMXBean bean = d.getHikariPoolMXBean();
            if (bean == null || bean.getActiveConnections() == 0) {
                if (draining.remove(d)) {
                    // on a thread of its own: closing waits for the pool's connection attempts, which
                    // to a dead server take up to the connect timeout
                    Thread closer = new Thread(d::close, "lagwise-" + dataSourceName + "-pool-closer");
                    closer.setDaemon(true);
                    closer.start();
                }
            }
        }
    }
    /**
     * Marks the node down, or, when a retry after the backoff failed, doubles the backoff (1 s up to
     * 30 s). Failures of other threads in the same outage do not double it.
     */
    synchronized void markDown(Throwable cause) {
        long now = ticker.read();
        if (!down) {
            backoff = FIRST_BACKOFF;
            downSince = now;
            downReason = SqlErrors.describe(cause);
            retryAt = now + backoff;
            down = true; // after retryAt: a reader that sees down sees its retry time
            log.warn("{}: {} is down: {}", dataSourceName, label(), downReason);
        } else if (now - retryAt >= 0) {
            backoff = Math.min(backoff * 2, MAX_BACKOFF);
            retryAt = now + backoff;
        }
        wakeWaiters(); // down already or not: a borrow waiting on the pool (a retry that came due) gives up now
    }

    synchronized void markUp() {
        if (down) {
            down = false;
            log.info("{}: {} is back after {} ms", dataSourceName, label(),
                    TimeUnit.NANOSECONDS.toMillis(ticker.read() - downSince));
        }
    }

    void close() {
        pool.close();
        for (HikariDataSource d : draining) {
            d.close();
        }
        draining.clear();
    }

    @Override
    public String toString() {
        return label() + (down ? " DOWN" : " up") + ", inFlight=" + inFlight.get();
    }
}
