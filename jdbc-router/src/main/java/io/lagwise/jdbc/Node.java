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
    final NodeRole role;
    final String region;
    final boolean backup;
    final HikariDataSource pool;
    final int maxPoolSize;
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

    Node(String dataSourceName, JdbcUrl url, NodeRole role, String region, boolean backup, HikariConfig config,
            Properties monitorCredentials, Ticker ticker) {
        this.dataSourceName = dataSourceName;
        this.monitorCredentials = monitorCredentials;
        this.url = url;
        this.role = role;
        this.region = region;
        this.backup = backup;
        this.ticker = ticker;
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
        this.maxPoolSize = 10;
        this.pool = null;
        this.dialect = ServerDialect.MARIADB;
    }

    /** {@code master db-oslo-1:3306} or {@code replica db-oslo-2:3306 (oslo)}: for messages. */
    String label() {
        return role == NodeRole.MASTER ? "master " + url.hostAndPort()
                : "replica " + url.hostAndPort() + " (" + region + (backup ? ", backup" : "") + ")";
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
        return !down || ticker.read() - retryAt >= 0;
    }

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
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            if (SqlErrors.isServerUnreachable(e)) {
                markDown(e);
            }
            throw e;
        }
        inFlight.incrementAndGet();
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
    }

    /** Gives back a connection that broke: the pool drops it instead of handing it out again. */
    void evict(Connection c) {
        inFlight.decrementAndGet();
        pool.evictConnection(c);
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
    }

    @Override
    public String toString() {
        return label() + (down ? " DOWN" : " up") + ", inFlight=" + inFlight.get();
    }
}
