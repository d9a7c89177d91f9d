package io.lagwise.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the lag a reader sees: how long after a write commits on the master the row becomes
 * visible on each replica. This is the ground truth the other lag figures are checked against.
 *
 * <p>Each {@link #write()} inserts a row on the master and notes when the commit returned. One
 * watcher thread per replica polls {@code MAX(id)} on that replica's own port (bypassing any client
 * delay proxy, so a far replica's answer is not delayed on its way back) every
 * {@value #POLL_MICROS} µs, and notes when each row first shows. Lag = first sighting − commit.
 * Resolution is the poll interval plus one loopback round trip (well under a millisecond).
 *
 * <pre>{@code
 * try (VisibleLagMeter meter = VisibleLagMeter.start(topology)) {
 *     for (int i = 0; i < 100; i++) { meter.write(); Thread.sleep(50); }
 *     meter.awaitVisible(Duration.ofSeconds(5));
 *     LagSamples oslo = meter.samples("oslo");
 * }
 * }</pre>
 */
public final class VisibleLagMeter implements AutoCloseable {

    static final int POLL_MICROS = 250;
    private static final String TABLE = "lagwise_visible_lag";

    private final ReplicationTopology topology;
    private final Connection master;
    private final PreparedStatement insert;
    private final Map<Long, Long> committedAt = new ConcurrentHashMap<>();
    private final Map<String, Watcher> watchers = new LinkedHashMap<>();
    private long nextId;

    private VisibleLagMeter(ReplicationTopology topology) throws SQLException {
        this.topology = topology;
        this.master = topology.master().connect();
        try (Statement s = master.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id BIGINT PRIMARY KEY)");
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM " + TABLE)) {
                rs.next();
                nextId = rs.getLong(1) + 1;
            }
        }
        this.insert = master.prepareStatement("INSERT INTO " + TABLE + " (id) VALUES (?)");
        topology.awaitReplication(Duration.ofSeconds(10));
    }

    /**
     * Creates the meter's table on the master (if absent), waits until it has replicated, and
     * starts one watcher per replica.
     *
     * @throws TopologyException if the servers do not answer
     */
    public static VisibleLagMeter start(ReplicationTopology topology) {
        VisibleLagMeter meter;
        try {
            meter = new VisibleLagMeter(topology);
        } catch (SQLException e) {
            throw new TopologyException("cannot create the lag meter's table on the master: " + e.getMessage(), e);
        }
        for (TopologyNode replica : topology.replicas()) {
            Watcher w = meter.new Watcher(replica);
            meter.watchers.put(replica.name(), w);
            w.thread.start();
        }
        return meter;
    }

    /**
     * Writes one row on the master (auto-commit) and notes when the commit returned.
     *
     * @return the row's id
     * @throws TopologyException if the master does not answer
     */
    public long write() {
        long id = nextId++;
        try {
            insert.setLong(1, id);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new TopologyException("cannot write on the master: " + e.getMessage(), e);
        }
        committedAt.put(id, System.nanoTime());
        return id;
    }

    /**
     * Waits until every write so far is visible on every replica whose watcher still runs.
     *
     * @return whether they all were within {@code timeout}
     */
    public boolean awaitVisible(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = nextId - 1;
        for (Watcher w : watchers.values()) {
            while (w.seenUpTo < last && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            if (w.seenUpTo < last) {
                return false;
            }
        }
        return true;
    }

    /**
     * The visible lag of every write so far that the replica has shown.
     *
     * @throws IllegalArgumentException if there is no replica of that name
     */
    public LagSamples samples(String replicaName) {
        Watcher w = watchers.get(replicaName);
        if (w == null) {
            throw new IllegalArgumentException("no replica named '" + replicaName + "'; the replicas are " + watchers.keySet());
        }
        List<Long> lags = new ArrayList<>();
        for (Map.Entry<Long, Long> e : w.seenAt.entrySet()) {
            Long committed = committedAt.get(e.getKey());
            if (committed != null) {
                // A row can show on a fast replica before the master's OK reaches us: that is lag 0.
                lags.add(Math.max(0, e.getValue() - committed));
            }
        }
        return new LagSamples(lags.stream().mapToLong(Long::longValue).toArray());
    }

    /** Stops the watchers and closes the meter's connections. The table stays. */
    @Override
    public void close() {
        for (Watcher w : watchers.values()) {
            w.stop = true;
        }
        for (Watcher w : watchers.values()) {
            try {
                w.thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            master.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }

    /** Polls one replica for the newest row and notes the first sighting of each. */
    private final class Watcher implements Runnable {
        final TopologyNode replica;
        final Thread thread;
        final Map<Long, Long> seenAt = new ConcurrentHashMap<>();
        volatile long seenUpTo;
        volatile boolean stop;

        Watcher(TopologyNode replica) {
            this.replica = replica;
            this.seenUpTo = nextId - 1;
            this.thread = new Thread(this, "lagwise-lag-meter-" + replica.name());
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                try (Connection c = replica.connectDirect();
                        PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM " + TABLE)) {
                    while (!stop) {
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            long max = rs.getLong(1);
                            long now = System.nanoTime();
                            for (long id = seenUpTo + 1; id <= max; id++) {
                                seenAt.put(id, now);
                            }
                            if (max > seenUpTo) {
                                seenUpTo = max;
                            }
                        }
                        LockSupport.parkNanos(POLL_MICROS * 1_000L);
                    }
                } catch (SQLException e) {
                    // The replica is down or frozen; try again until stopped.
                    LockSupport.parkNanos(50_000_000);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "VisibleLagMeter[" + topology.replicas().size() + " replicas, " + (nextId - 1) + " rows]";
    }
}
