package io.lagwise.jdbc;

import io.lagwise.core.ClusterListener;
import io.lagwise.core.GtidSet;
import io.lagwise.core.GtidTimeline;
import io.lagwise.core.Health;
import io.lagwise.core.LagSource;
import io.lagwise.core.MasterElection;
import io.lagwise.core.NodeRole;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.core.Ticker;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every node so that reads choose well: health, lag and round-trip time, on the
 * application's own clock.
 *
 * <p>Each node has its own daemon thread and its own connection (not from the application's pool),
 * with connect and socket timeouts of {@code probeTimeout}: a frozen server fails its probe in that
 * time and never holds up another node's probe or any application thread. Every
 * {@code interval} (first probe at a random offset, so many application instances do not pulse
 * together), a probe reads:
 * <ul>
 *   <li>on the master, its written GTID position, into a {@link GtidTimeline} (time first seen);</li>
 *   <li>on a replica, its applied GTID position (timed: that query is the round-trip sample,
 *       smoothed as an EWMA) and {@code SHOW SLAVE STATUS} (threads running, Seconds_Behind_Master,
 *       last errors).</li>
 * </ul>
 * A replica's lag is then the age of its oldest unapplied transaction (GTID timeline, write-free),
 * or, when heartbeats are on and fresh, the heartbeat lag; Seconds_Behind_Master is a floor and
 * tells broken replication (NULL) apart. Health follows: {@code DOWN} when the probe fails,
 * {@code REPLICATION_STOPPED} when a replication thread is not running, {@code LAGGING} above
 * {@code maxReplicationLag}, else {@code UP}; only {@code UP} replicas take reads. A node that is
 * down is probed less often (the interval doubling to 5 s) and brought back when it answers.
 *
 * <p>Heartbeats (optional): the master's thread writes {@code (instance, seq)} into a heartbeat table
 * every {@code heartbeatInterval}, notes the GTID of that write and the time the commit returned,
 * and at once starts, on each replica's heartbeat thread, a {@code MASTER_GTID_WAIT} on it: the
 * moment it returns is when the replica shows the heartbeat, so the lag is measured to about a
 * millisecond without a polling loop. A missing table or privilege is one warning; the other sources carry on.
 */
final class ReplicaMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaMonitor.class);
    private static final double RTT_WEIGHT = 0.3;
    /** How often a replica's heartbeat row is read while a heartbeat is on its way (masters without GTIDs). */
    private static final long HEARTBEAT_POLL_MILLIS = 5;
    private static final int POLL_BACKOFF_SECONDS = 5;
    private static final long POLL_BACKOFF_NANOS = POLL_BACKOFF_SECONDS * 1_000_000_000L;
    private static final long MAX_DOWN_INTERVAL = TimeUnit.SECONDS.toNanos(5);

    private final String name;
    private final Cluster cluster;
    /** Whether roles come from the servers ({@code followPromotions}): each probe reads them, and an election follows. */
    private final boolean follow;
    private final Ticker ticker;
    private final long intervalNanos;
    private final Duration probeTimeout;
    private final long maxLagNanos;
    private final Duration heartbeatInterval;
    private final String heartbeatTable;
    private final String instance;
    private final List<ClusterListener> listeners;
    private final PinWindow pinWindow;
    /** The master's positions as first seen (kept across a followed promotion: the new master's extend them). */
    private volatile GtidTimeline timeline = new GtidTimeline(4096);
    private final ScheduledExecutorService threads;
    private volatile boolean closed;
    private volatile boolean heartbeatsOn;
    private volatile String heartbeatGtid = "";
    /** The newest heartbeat's sequence number, for replicas of a master without GTIDs (polled, not waited on). */
    private volatile long heartbeatSeq;
    private volatile long heartbeatWrittenAt;

    ReplicaMonitor(Cluster cluster, Ticker ticker, Duration interval, Duration probeTimeout, Duration maxLag,
            Duration heartbeatInterval, String heartbeatTable, List<ClusterListener> listeners, boolean follow) {
        this.name = cluster.name;
        this.cluster = cluster;
        this.follow = follow;
        PinWindow pinWindow = cluster.pinWindow;
        this.ticker = ticker;
        this.intervalNanos = interval.toNanos();
        this.probeTimeout = probeTimeout;
        this.maxLagNanos = maxLag.toNanos();
        this.heartbeatInterval = heartbeatInterval;
        this.heartbeatsOn = heartbeatInterval != null; // from the first probe, which runs before start()
        this.heartbeatTable = heartbeatTable;
        this.instance = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        this.listeners = List.copyOf(listeners);
        this.pinWindow = pinWindow;
        // One prober per node, plus, with heartbeats, the writer and one waiter per node (any may be a replica).
        int nodes = cluster.nodes.size();
        int threadCount = nodes * (heartbeatInterval == null ? 1 : 2) + (heartbeatInterval == null ? 0 : 1);
        this.threads = Executors.newScheduledThreadPool(threadCount, r -> {
            Thread t = new Thread(r, "lagwise-" + name + "-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, intervalNanos));
        for (Node n : cluster.nodes) {
            threads.scheduleWithFixedDelay(new Probe(n), jitter, intervalNanos, TimeUnit.NANOSECONDS);
        }
        if (heartbeatInterval != null) {
            heartbeatsOn = true;
            List<HeartbeatWaiter> waiters = new java.util.ArrayList<>();
            for (Node n : cluster.nodes) {
                waiters.add(new HeartbeatWaiter(n));
            }
            threads.scheduleWithFixedDelay(new HeartbeatWriter(waiters), jitter, heartbeatInterval.toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Probes every node once, now, on the caller's thread: at build time, so routing starts informed. */
    void probeAllOnce() {
        for (Node n : cluster.nodes) {
            new Probe(n).run();
        }
    }

    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
        try {
            threads.awaitTermination(probeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection open(Node node) throws SQLException {
        Properties p = new Properties();
        p.putAll(node.monitorCredentials);
        p.setProperty("connectTimeout", Long.toString(probeTimeout.toMillis()));
        p.setProperty("socketTimeout", Long.toString(probeTimeout.toMillis()));
        Connection c = DriverManager.getConnection(node.url.url(), p);
        try {
            ServerDialect dialect = ServerDialect.of(c);
            if (node.dialect != dialect && !(node.dialect == ServerDialect.MYSQL_57 && dialect == ServerDialect.MYSQL)) {
                node.dialect = dialect; // what the server says now (it may have been replaced)
            }
            if (node.role == NodeRole.MASTER) {
                node.writesGtids(dialect.writesGtids(c));
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * The node the last rounds would follow, and how many words each node had given then: followed
     * once every node that answered has given another (a single word may be stale: a replica
     * re-pointed a moment ago still names its old source).
     */
    private Node proposed;
    private long[] proposedWords;

    /**
     * Takes one probe's word on a node's role and decides, over every node's latest word, which node
     * is the master ({@link MasterElection}): follows a promotion, follows it back, or refuses writes
     * while two nodes qualify or the master will not take them. A new master is followed only when
     * the rounds of a whole monitor interval agree on it. Decided under a lock (probes of different
     * nodes run on different threads); listeners are told after it.
     */
    private void elect(Node observed, MasterElection.Evidence evidence) {
        List<Runnable> tell = new java.util.ArrayList<>(2);
        synchronized (this) {
            decide(observed, evidence, tell);
        }
        for (Runnable r : tell) { // outside the lock: a slow listener holds up no other node's probe
            r.run();
        }
    }

    private void decide(Node observed, MasterElection.Evidence evidence, List<Runnable> tell) {
        observed.evidence = evidence;
        observed.words++;
        if (closed) {
            return;
        }
        List<Node> nodes = cluster.nodes;
        List<MasterElection.Evidence> words = new java.util.ArrayList<>(nodes.size());
        for (Node n : nodes) {
            MasterElection.Evidence e = n.evidence;
            words.add(e != null ? e : MasterElection.Evidence.silent(0));
        }
        Node current = cluster.master;
        MasterElection.Outcome outcome = MasterElection.decide(nodes.indexOf(current), words);
        if (outcome.verdict() != MasterElection.Verdict.FOLLOW) {
            proposed = null;
        }
        switch (outcome.verdict()) {
            case KEEP -> refuseWrites(null, tell);
            case FOLLOW -> {
                Node next = nodes.get(outcome.master());
                long now = ticker.read();
                if (proposed != next) {
                    proposed = next;
                    proposedWords = new long[nodes.size()];
                    for (int i = 0; i < nodes.size(); i++) {
                        proposedWords[i] = nodes.get(i).words;
                    }
                }
                for (int i = 0; i < nodes.size(); i++) {
                    if (words.get(i).answered() && nodes.get(i).words <= proposedWords[i]) {
                        // followed once every node that answers has had a probe of its own to say otherwise;
                        // meanwhile the current master, which the servers no longer make the master, takes no write
                        refuseWrites("confirming that " + next.url.hostAndPort() + " is the master now, not "
                                + current.url.hostAndPort() + " (every answering node is asked once more)", tell);
                        return;
                    }
                }
                proposed = null;
                Node previous = cluster.follow(next);
                // (The GTID timeline is kept: the new master's positions extend the old one's, and a
                // replica still behind the old master's writes must not look fresh.)
                refuseWrites(null, tell);
                log.info("{}: following a promotion: {} is the master now (was {}: {}); writes go there,"
                        + " a transaction open on the old master is lost", name, next.label(),
                        previous.url.hostAndPort(), previous.isDown() ? "down" : words.get(nodes.indexOf(previous)).writable()
                                ? "writable, but fewer configured replicas follow it" : "read-only");
                NodeSnapshot master = next.snapshot(now);
                NodeSnapshot before = previous.snapshot(now);
                tell.add(() -> {
                    for (ClusterListener l : listeners) {
                        try {
                            l.masterChanged(master, before);
                        } catch (RuntimeException e) {
                            log.warn("{}: cluster listener {} failed: {}", name, l, e.toString());
                        }
                    }
                });
            }
            case SPLIT_BRAIN -> {
                List<String> servers = new java.util.ArrayList<>();
                for (int i : outcome.qualified()) {
                    servers.add(nodes.get(i).url.hostAndPort() + (nodes.get(i) == current ? " (the master until now)" : ""));
                }
                refuseWrites("split brain: " + String.join(" and ", servers) + " are all writable and replicate from"
                        + " no configured node, and as many configured replicas follow each; writes are refused until"
                        + " all but one are read-only or replicate from it", tell);
            }
            case NONE -> {
                MasterElection.Evidence word = words.get(nodes.indexOf(current));
                // A master that does not answer fails writes as down (at once, naming it); one that
                // answers but will not take writes is refused here, never sent a write.
                refuseWrites(!word.answered() ? null : word.writable()
                        ? current.label() + " replicates from another writable configured node, which does not qualify"
                                + " as master either"
                        : current.label() + " is read-only, and no other configured node is writable without replicating from one", tell);
            }
        }
    }

    /** Sets why writes are refused (null: they are not), logging and telling listeners when that changes. */
    private void refuseWrites(String why, List<Runnable> tell) {
        String before = cluster.writesRefused;
        if (java.util.Objects.equals(before, why)) {
            return;
        }
        cluster.writesRefused = why;
        if (why != null) {
            log.warn("{}: writes refused: {}", name, why);
        } else {
            log.info("{}: writes accepted again by {}", name, cluster.master.label());
        }
        java.util.Optional<String> reason = java.util.Optional.ofNullable(why);
        tell.add(() -> {
            for (ClusterListener l : listeners) {
                try {
                    l.writesRefused(reason);
                } catch (RuntimeException e) {
                    log.warn("{}: cluster listener {} failed: {}", name, l, e.toString());
                }
            }
        });
    }

    /** Applies a probe's verdict, telling the router and the listeners when the health changes. */
    private void judge(Node node, Health health, String error) {
        Health previous = node.health;
        node.lastError = error;
        if (health == previous) {
            return;
        }
        node.health = health;
        if (health == Health.DOWN) {
            node.markDown(new SQLException(error, "08001"));
        } else if (previous == Health.DOWN) {
            node.markUp();
        }
        String lag = node.lagNanos >= 0 ? String.format("%.1f ms", node.lagNanos / 1e6) : "unknown";
        if (health == Health.UP) {
            log.info("{}: {} is {} (was {}; lag {})", name, node.label(), health, previous, lag);
        } else {
            log.warn("{}: {} is {} (was {}; lag {}){}", name, node.label(), health, previous, lag,
                    error.isEmpty() ? "" : ": " + error);
        }
        for (ClusterListener l : listeners) {
            try {
                l.healthChanged(node.snapshot(ticker.read()), previous);
            } catch (RuntimeException e) {
                log.warn("{}: cluster listener {} failed: {}", name, l, e.toString());
            }
        }
    }

    /** One node's periodic probe, with its own connection kept between runs. */
    private final class Probe implements Runnable {
        private final Node node;
        private Connection connection;
        private long skipUntil;
        private long downInterval;

        Probe(Node node) {
            this.node = node;
        }

        @Override
        public void run() {
            if (closed) {
                return;
            }
            long now = ticker.read();
            if (now - skipUntil < 0) {
                return; // down: probed less often
            }
            try {
                try {
                    probe();
                } catch (SQLException e) {
                    if (!reused || !SqlErrors.isConnectionProblem(e) || SqlErrors.isTimeout(e)) {
                        throw e; // a timeout is what a frozen server looks like: no second wait
                    }
                    // The kept connection broke (killed, closed by the server or a proxy when idle):
                    // that is not the node going down. Judge by a fresh connection, at once.
                    closeConnection();
                    probe();
                }
                downInterval = 0;
                node.answeredAt = ticker.read();
                if (follow) {
                    elect(node, role);
                }
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                downInterval = downInterval == 0 ? intervalNanos * 2 : Math.min(downInterval * 2, MAX_DOWN_INTERVAL);
                skipUntil = ticker.read() + downInterval;
                // Unreachable: a connect refused, or no answer in time. A connection that broke after
                // the server accepted it (killed by an administrator) is not: borrows may still retry.
                node.unreachable = e instanceof SQLException se && (SqlErrors.isTimeout(se) || SqlErrors.isRefused(se));
                judge(node, Health.DOWN, SqlErrors.describe(e));
                if (e instanceof SQLException se && SqlErrors.isTimeout(se)) {
                    // it stopped answering (frozen, or cut off): what runs there would wait out its
                    // socket timeout; aborted, a read runs again elsewhere and a write fails by name
                    node.abortRunning();
                }
                if (follow) {
                    MasterElection.Evidence last = node.evidence;
                    elect(node, MasterElection.Evidence.silent(last == null ? 0 : last.serverId()));
                }
            }
        }

        /** What this probe found about the node's role (when roles are followed). */
        private MasterElection.Evidence role;
        /** The source server id the replica status showed in this probe (0: none, or not asked). */
        private long sourceServerId;
        private boolean statusDenied;
        private boolean oldRoleQuery;

        /**
         * The source's server id from a replica status row: the id when the IO thread is connected, or
         * when replication is stopped altogether (the source it would resume from; 0 if it never
         * connected); else {@link MasterElection#UNKNOWN_SOURCE} (connecting, or only the SQL thread
         * running: the id shown may be of a source it had before).
         */
        private long source(ResultSet rs, ServerDialect dialect) throws SQLException {
            long id = rs.getLong(dialect.sourceServerIdColumn);
            String io = rs.getString(dialect.threadColumnPrefix + "_IO_Running");
            boolean sqlStopped = "No".equalsIgnoreCase(rs.getString(dialect.threadColumnPrefix + "_SQL_Running"));
            if ("No".equalsIgnoreCase(io) && sqlStopped) {
                // replication stopped (STOP SLAVE): still a replica of what it names, if anything (a
                // promotion resets replication: RESET SLAVE ALL leaves no row at all)
                return id;
            }
            // Only a connected IO thread names its source truly: one that is connecting (re-pointed, or
            // its source down) still shows the id of the source it had before.
            return "Yes".equalsIgnoreCase(io) && id != 0 ? id : MasterElection.UNKNOWN_SOURCE;
        }

        /** Reads the node's role: its id, whether it takes writes; the source comes from the replica status. */
        private void readRole(boolean statusRead) throws SQLException {
            ServerDialect dialect = node.dialect;
            if (!statusRead) {
                sourceServerId = 0;
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(dialect.replicaStatus)) {
                    if (rs.next()) {
                        sourceServerId = source(rs, dialect);
                    }
                } catch (SQLException e) {
                    if (!SqlErrors.isAccessDenied(e) && !(e instanceof java.sql.SQLSyntaxErrorException)) {
                        throw e;
                    }
                    if (!statusDenied) { // the monitor user lacks REPLICATION CLIENT / SLAVE MONITOR here
                        statusDenied = true;
                        log.warn("{}: cannot read the replica status of {} ({}): it counts as replicating from no node;"
                                + " grant the monitor user REPLICATION CLIENT (MySQL) or SLAVE MONITOR (MariaDB), or the server does not know "
                                + dialect.replicaStatus,
                                name, node.label(), SqlErrors.describe(e));
                    }
                }
            }
            String query = oldRoleQuery ? "SELECT @@server_id, @@read_only" : dialect.roleQuery;
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(query)) {
                rs.next();
                role = new MasterElection.Evidence(true, !rs.getBoolean(2), rs.getLong(1), sourceServerId);
            } catch (SQLException e) {
                if (e.getErrorCode() != 1193 || oldRoleQuery) {
                    throw e;
                }
                oldRoleQuery = true; // MySQL 5.6 knows no super_read_only: read_only alone, from now on
                readRole(true);
            }
        }

        /** Whether the last probe ran on a connection kept from an earlier one. */
        private boolean reused;

        /** The role the node had when this probe began: a verdict for another role is dropped. */
        private NodeRole probedAs;

        /**
         * Judges the node, unless its role changed while the probe ran (a promotion followed meanwhile:
         * a master probe must not call a demoted node UP, nor a replica probe a promoted one stopped).
         */
        private void verdict(Health health, String error) {
            if (node.role == probedAs) {
                judge(node, health, error);
            }
        }

        private void probe() throws SQLException {
            probedAs = node.role;
            reused = connection != null;
            if (connection == null) {
                connection = open(node);
            }
            if (node.role == NodeRole.MASTER) {
                probeMaster();
                if (follow) {
                    readRole(false);
                }
            } else {
                sourceServerId = 0;
                probeReplica();
                if (follow) {
                    readRole(true);
                }
            }
        }

        private void probeMaster() throws SQLException {
            long begin = ticker.read();
            String position;
            if (node.dialect == ServerDialect.MARIADB) {
                position = scalar(node.dialect.masterPosition);
            } else {
                // MySQL can turn GTIDs off while running (gtid_mode steps down): asked in the same round trip
                try (Statement s = connection.createStatement();
                        ResultSet rs = s.executeQuery("SELECT @@GLOBAL.gtid_executed, @@GLOBAL.gtid_mode")) {
                    rs.next();
                    String v = rs.getString(1);
                    position = v == null ? "" : v.replace("\n", "");
                    node.writesGtids("ON".equalsIgnoreCase(rs.getString(2)));
                }
            }
            long end = ticker.read();
            sampleRoundTrip(end - begin);
            node.gtidPosition = position;
            GtidSet parsed = GtidSet.parse(position);
            if (parsed != null) {
                node.probed = new Node.Probed(begin, begin + (end - begin) / 2, parsed);
            }
            if (node.role == NodeRole.MASTER) {
                timeline.record(end, parsed);
            }
            node.advance(parsed);
            verdict(Health.UP, "");
        }

        private void probeReplica() throws SQLException {
            try {
                probeReplicaOnce();
            } catch (java.sql.SQLSyntaxErrorException e) {
                if (node.dialect != ServerDialect.MYSQL) {
                    throw e;
                }
                node.dialect = ServerDialect.MYSQL_57; // a MySQL that does not know SHOW REPLICA STATUS
                probeReplicaOnce();
            }
        }

        private void probeReplicaOnce() throws SQLException {
            long begin = ticker.read();
            ServerDialect dialect = node.dialect;
            String position = scalar(dialect.appliedPosition);
            long end = ticker.read();
            sampleRoundTrip(end - begin);
            node.gtidPosition = position;
            boolean ioRunning;
            boolean sqlRunning;
            long sbm;
            String error;
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(dialect.replicaStatus)) {
                if (!rs.next()) {
                    verdict(Health.REPLICATION_STOPPED, "not configured as a replica");
                    return;
                }
                sourceServerId = source(rs, dialect);
                String prefix = dialect.threadColumnPrefix;
                // "Connecting" is not stopped: the master may be down, and then the replica is as fresh
                // as anything; if the master is up but out of its reach, the GTID timeline shows the lag.
                ioRunning = !"No".equalsIgnoreCase(rs.getString(prefix + "_IO_Running"));
                sqlRunning = "Yes".equalsIgnoreCase(rs.getString(prefix + "_SQL_Running"));
                sbm = rs.getLong(dialect.secondsBehindColumn);
                if (rs.wasNull()) {
                    sbm = -1;
                }
                String io = rs.getString("Last_IO_Error");
                String sql = rs.getString("Last_SQL_Error");
                error = sql != null && !sql.isEmpty() ? sql : io != null ? io : "";
            }
            node.secondsBehindMaster = sbm;
            long now = ticker.read();
            GtidSet applied = GtidSet.parse(position);
            if (applied != null) {
                node.knownPosition = applied; // the probe's word, even if lower: a replica may have been reset
            }
            // Without GTIDs on the master every position is empty: the timeline would say 0 whatever the lag.
            Node master = cluster.master;
            long timelineLag = applied != null && master.writesGtids ? timeline.lagNanos(applied, now) : -1;
            node.timelineLagNanos = timelineLag;
            long heartbeat = node.heartbeatLagNanos;
            boolean heartbeatFresh = heartbeat >= 0 && heartbeatInterval != null
                    && now - node.heartbeatMeasuredAt < heartbeatInterval.toNanos() * 3;
            boolean caughtUp = timelineLag == 0 && applied.isAtLeast(master.knownPosition);
            ReplicaLag chosen = ReplicaLag.choose(heartbeatFresh ? heartbeat : -1, timelineLag, sbm, caughtUp);
            long lag = chosen.nanos();
            LagSource source = chosen.source();
            node.lagNanos = lag;
            node.lagSource = source;
            node.lagMeasuredAt = now;
            if (!ioRunning || !sqlRunning) {
                verdict(Health.REPLICATION_STOPPED, error.isEmpty()
                        ? (sqlRunning ? "IO thread stopped" : "SQL thread stopped") : error);
            } else if (lag > maxLagNanos) {
                verdict(Health.LAGGING, "");
            } else {
                verdict(Health.UP, "");
                // A whole-second figure taken while the heartbeat has yet to time this replica would
                // hold the pin window at seconds for the next minute: the fine figure comes shortly.
                boolean heartbeatDue = heartbeatsOn && heartbeatInterval != null && node.heartbeatLagNanos < 0;
                if (source != LagSource.SECONDS_BEHIND_MASTER) {
                    pinWindow.record(lag, now);
                } else if (!heartbeatDue) {
                    // Whole seconds: a replica that says N may be up to N + 1 s behind.
                    pinWindow.record(lag + 1_000_000_000L, now);
                }
            }
            pinWindow.publish(cluster.replicas);
        }

        private void sampleRoundTrip(long nanos) {
            long previous = node.rttNanos;
            node.rttNanos = previous == 0 ? nanos : (long) (previous + RTT_WEIGHT * (nanos - previous));
        }

        private String scalar(String sql) throws SQLException {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                String v = rs.getString(1);
                return v == null ? "" : v.replace("\n", "");
            }
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // gone already
                }
                connection = null;
            }
        }
    }

    /** Writes the heartbeat on the master and notes its GTID and commit time. */
    private final class HeartbeatWriter implements Runnable {
        private final List<HeartbeatWaiter> waiters;
        private Connection connection;
        private long seq;

        private Node writingTo;

        HeartbeatWriter(List<HeartbeatWaiter> waiters) {
            this.waiters = waiters;
        }

        @Override
        public void run() {
            if (closed || !heartbeatsOn || cluster.writesRefused != null) {
                return; // (while writes are refused, Lagwise writes nowhere either)
            }
            Node master = cluster.master;
            if (writingTo != master && connection != null) {
                // a promotion was followed: heartbeats go to the new master
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // gone already
                }
                connection = null;
            }
            writingTo = master;
            try {
                if (connection == null) {
                    connection = open(master);
                    try (Statement s = connection.createStatement()) {
                        s.execute("CREATE TABLE IF NOT EXISTS " + heartbeatTable
                                + " (instance VARCHAR(32) PRIMARY KEY, seq BIGINT NOT NULL, written_at TIMESTAMP(6) NOT NULL)");
                    }
                }
                try (PreparedStatement ps = connection.prepareStatement("REPLACE INTO " + heartbeatTable
                        + " (instance, seq, written_at) VALUES (?, ?, NOW(6))")) {
                    ps.setString(1, instance);
                    ps.setLong(2, ++seq);
                    ps.executeUpdate();
                }
                long written = ticker.read();
                String gtid = "";
                ServerDialect dialect = master.dialect;
                if (master.writesGtids) { // without GTIDs the replicas poll the row instead
                    // MySQL has no @@last_gtid: the master's executed set holds the heartbeat as well.
                    try (Statement s = connection.createStatement();
                            ResultSet rs = s.executeQuery(dialect.lastGtid != null ? dialect.lastGtid : dialect.masterPosition)) {
                        rs.next();
                        gtid = rs.getString(1);
                    }
                }
                heartbeatWrittenAt = written;
                heartbeatSeq = seq;
                heartbeatGtid = gtid == null ? "" : gtid;
                // Start every replica's wait now: a wait that began late would see the heartbeat late.
                for (HeartbeatWaiter w : waiters) {
                    if (w.busy.compareAndSet(false, true)) {
                        threads.execute(w);
                    }
                }
            } catch (SQLException e) {
                if (connection != null) {
                    try {
                        connection.close();
                    } catch (SQLException ignored) {
                        // gone already
                    }
                    connection = null;
                }
                // (A read-only master, error 1290, is a switchover under way: heartbeats resume on
                // whichever node takes writes next.)
                if (e.getErrorCode() == 1142 || e.getErrorCode() == 1044 || e.getErrorCode() == 1227
                        || (e.getErrorCode() == 1290 && !SqlErrors.isReadOnly(e)) || "42000".equals(e.getSQLState())) {
                    heartbeatsOn = false;
                    log.warn("{}: heartbeats are off: cannot write table {} on {} ({}); lag comes from the GTID"
                            + " timeline and Seconds_Behind_Master instead", name, heartbeatTable, master.label(),
                            SqlErrors.describe(e));
                }
            }
        }
    }

    /** Waits on one replica for each new heartbeat and times its arrival. */
    private final class HeartbeatWaiter implements Runnable {
        private final Node node;
        /** Set while a wait runs: a slow replica gets no second wait on top of the first. */
        final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        private Connection connection;
        private String lastSeen = "";
        private long lastSeq;
        private boolean pollWarned;
        private long pollFailedAt = ticker.read() - POLL_BACKOFF_NANOS;

        HeartbeatWaiter(Node node) {
            this.node = node;
        }

        @Override
        public void run() {
            try {
                waitForHeartbeat();
            } finally {
                busy.set(false);
            }
        }

        private void waitForHeartbeat() {
            String gtid = heartbeatGtid; // written last: the sequence and time read after it are as new
            long seq = heartbeatSeq;
            long written = heartbeatWrittenAt;
            Node master = cluster.master;
            if (closed || !heartbeatsOn || node.health == Health.DOWN || node == master) {
                return;
            }
            long waitNanos = Math.min(probeTimeout.toNanos(), maxLagNanos * 2);
            if (!master.writesGtids) {
                if (seq != 0 && seq != lastSeq && ticker.read() - pollFailedAt >= POLL_BACKOFF_NANOS) {
                    lastSeq = seq;
                    pollHeartbeat(seq, written, waitNanos);
                }
                return;
            }
            if (gtid.isEmpty() || gtid.equals(lastSeen)) {
                return;
            }
            lastSeen = gtid;
            double waitSeconds = Math.max(0.001, waitNanos / 1e9);
            try {
                if (connection == null) {
                    connection = open(node);
                }
                try (PreparedStatement ps = connection.prepareStatement(node.dialect.waitForPosition)) {
                    ps.setString(1, gtid);
                    ps.setDouble(2, waitSeconds);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        long seen = ticker.read();
                        // The answer took half a round trip to come back: the replica had it that much earlier.
                        long lag = rs.getInt(1) == 0 ? seen - written - node.rttNanos / 2 : seen - written;
                        node.heartbeatLagNanos = Math.max(0, lag);
                        node.heartbeatMeasuredAt = seen;
                    }
                }
            } catch (SQLException e) {
                closeConnection();
            }
        }

        /**
         * Without GTIDs there is no position to wait on: reads the heartbeat row on the replica every
         * few milliseconds until it shows sequence {@code seq}. The row arrived between the last poll
         * that missed it and the one that saw it, as the replica's clock goes: the middle of the two
         * questions, plus half a round trip for a question to get there. After a failure the replica
         * is not polled for {@value #POLL_BACKOFF_SECONDS} s (its lag comes from {@code
         * Seconds_Behind_Master} meanwhile), and a replica without the table is not judged by it.
         */
        private void pollHeartbeat(long seq, long written, long waitNanos) {
            try {
                if (connection == null) {
                    connection = open(node);
                }
                try (PreparedStatement ps = connection.prepareStatement("SELECT seq FROM " + heartbeatTable + " WHERE instance = ?")) {
                    ps.setString(1, instance);
                    long missedAt = written;
                    while (!closed) {
                        long asked = ticker.read();
                        long shown;
                        try (ResultSet rs = ps.executeQuery()) {
                            shown = rs.next() ? rs.getLong(1) : 0;
                        } catch (SQLException e) {
                            if (e.getErrorCode() != 1146) {
                                throw e;
                            }
                            shown = -1; // the table itself has not arrived (yet)
                        }
                        long now = ticker.read();
                        if (shown >= seq) {
                            long lag = missedAt + (asked - missedAt) / 2 + node.rttNanos / 2 - written;
                            node.heartbeatLagNanos = Math.max(0, lag);
                            node.heartbeatMeasuredAt = now;
                            return;
                        }
                        if (now - written > waitNanos) {
                            if (shown >= 0) {
                                node.heartbeatLagNanos = now - written; // not there yet: a lower bound
                                node.heartbeatMeasuredAt = now;
                            } else {
                                pollFailed(null); // no table there (a replication filter?): not a lag
                            }
                            return;
                        }
                        missedAt = asked;
                        Thread.sleep(HEARTBEAT_POLL_MILLIS);
                    }
                }
            } catch (SQLException e) {
                closeConnection();
                pollFailed(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void pollFailed(SQLException e) {
            pollFailedAt = ticker.read();
            if (!pollWarned) {
                pollWarned = true;
                log.warn("{}: cannot read the heartbeat table {} on {} ({}); its lag comes from Seconds_Behind_Master"
                        + " while it cannot, tried again every {} s", name, heartbeatTable, node.label(),
                        e == null ? "the table is not there" : SqlErrors.describe(e), POLL_BACKOFF_SECONDS);
            }
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // gone already
                }
                connection = null;
            }
        }
    }
}
