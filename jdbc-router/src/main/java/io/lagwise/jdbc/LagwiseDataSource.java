package io.lagwise.jdbc;

import com.zaxxer.hikari.HikariConfig;
import io.lagwise.core.ClusterListener;
import io.lagwise.core.ClusterSnapshot;
import io.lagwise.core.Consistency;
import io.lagwise.core.Health;
import io.lagwise.core.NodeRole;
import io.lagwise.core.NodeSnapshot;
import io.lagwise.core.ReplicaSelector;
import io.lagwise.core.Ticker;
import java.time.Instant;
import java.util.Properties;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * A {@link DataSource} over a MySQL or MariaDB master and its replicas that sends every write to the
 * master and every read it safely can to a replica, under plain JDBC.
 *
 * <pre>{@code
 * LagwiseDataSource ds = LagwiseDataSource.builder()
 *         .name("orders")
 *         .master("jdbc:mariadb://db-oslo-1:3306/app")
 *         .replica("jdbc:mariadb://db-oslo-2:3306/app", "oslo")
 *         .replica("jdbc:mysql://db-fra-1:3306/app", "frankfurt")
 *         .username("app").password(secret)
 *         .localRegion("oslo")
 *         .build();
 * }</pre>
 *
 * <h2>How a statement is routed</h2>
 * <ul>
 *   <li>A read-only connection ({@code setReadOnly(true)}, what {@code @Transactional(readOnly = true)}
 *       does) reads from a replica; a write on it fails with a clear error.</li>
 *   <li>A transaction (auto-commit off) runs on one server from its first statement to commit or
 *       rollback: the master, or a replica when read-only. Never two servers.</li>
 *   <li>In auto-commit, each statement is classified: plain {@code SELECT}/{@code SHOW}/{@code WITH … SELECT}
 *       reads go to a replica; writes, locking reads ({@code FOR UPDATE}, {@code FOR SHARE}) and
 *       session-state statements ({@code SET}, temporary tables, {@code GET_LOCK()}, user variables,
 *       {@code LAST_INSERT_ID()}) go to the master, and a session-state statement keeps the connection
 *       on the master from then on.</li>
 *   <li>{@code /* lagwise:master *}{@code /} in the SQL, or {@link LagwiseConnection#useMaster()}, forces
 *       the master.</li>
 *   <li>The replica: the local region's first, non-backup before backup, the least busy of equals.
 *       When none can take a read it goes to the master ({@link ReadFallback#MASTER}, the default) or
 *       fails ({@link ReadFallback#FAIL}).</li>
 *   <li>A server connection is borrowed only when a statement needs it; session settings made on the
 *       connection are carried to whichever server is used.</li>
 *   <li>A replica that fails a read before any result came back is marked down and the read runs
 *       again on another node (each node at most once). A write is never retried. While the master is
 *       down, writes fail at once with an {@link SQLException} that names it; reads go on. A
 *       transaction whose server connection breaks is lost: its next statement and {@code commit()}
 *       fail until it is rolled back.</li>
 * </ul>
 *
 * <h2>The replica monitor</h2>
 * Each data source probes every node on its own daemon threads (see {@link #cluster()} for what it
 * sees): only replicas that answer, replicate, and trail the master by less than
 * {@link Builder#maxReplicationLag} take reads, the nearest first; a node that stops answering is
 * avoided within a probe interval plus {@link Builder#probeTimeout}, and comes back by itself.
 *
 * <p>Each node has its own HikariCP pool, closed by {@link #close()}. Thread-safe; connections, as
 * in JDBC generally, are for one thread at a time.
 */
public final class LagwiseDataSource implements DataSource, AutoCloseable {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(LagwiseDataSource.class);

    private final Cluster cluster;
    private final List<Node> nodes;
    private final ReplicaMonitor monitor;
    private final Ticker ticker;
    private volatile boolean closed;

    private LagwiseDataSource(Cluster cluster, ReplicaMonitor monitor, Ticker ticker) {
        this.cluster = cluster;
        this.monitor = monitor;
        this.ticker = ticker;
        this.nodes = cluster.nodes;
    }

    /** A builder; see the class documentation for an example. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name given to the builder, used in logs, pool names and messages. */
    public String name() {
        return cluster.name;
    }

    /**
     * A connection that routes each statement; it borrows a server connection only when one is needed.
     *
     * @throws SQLException if this data source is closed
     */
    @Override
    public LagwiseConnection getConnection() throws SQLException {
        if (closed) {
            throw new SQLException(cluster.name + ": data source is closed", "08003");
        }
        return new RoutingConnection(cluster);
    }

    /**
     * Not supported: each node's credentials are set when the data source is built.
     *
     * @throws SQLFeatureNotSupportedException always
     */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException(cluster.name + ": getConnection(username, password) is not supported; give credentials to LagwiseDataSource.builder()");
    }

    /** Closes every node's pool. Connections still open fail on their next statement. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        monitor.close();
        for (Node n : nodes) {
            n.close();
        }
        log.info("{}: closed", cluster.name);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Statements each node has run through this data source, master first; for tests and diagnostics. */
    long[] statementsServed() {
        long[] served = new long[nodes.size()];
        for (int i = 0; i < served.length; i++) {
            served[i] = nodes.get(i).statementsServed.sum();
        }
        return served;
    }

    /**
     * The state of every node now: role, region, health, each lag figure with its source and age,
     * GTID position, round-trip time, pool use and statements served. Immutable; cheap enough for a
     * health endpoint.
     */
    public ClusterSnapshot cluster() {
        long now = ticker.read();
        List<NodeSnapshot> snapshots = new ArrayList<>(nodes.size());
        Node master;
        List<Node> replicas;
        synchronized (cluster) { // the master and the replicas of one moment (a promotion may be followed)
            master = cluster.master;
            replicas = cluster.replicas;
        }
        snapshots.add(master.snapshot(now));
        for (Node n : replicas) {
            snapshots.add(n.snapshot(now));
        }
        return new ClusterSnapshot(cluster.name, Instant.now(), snapshots, java.util.Optional.ofNullable(cluster.writesRefused),
                cluster.masterChanges());
    }

    Cluster router() {
        return cluster;
    }

    /**
     * Opens a consistency session and makes it the current thread's until it is closed: the scope of
     * read-your-writes for a unit of work such as a web request. See {@link ConsistencySession}.
     */
    public ConsistencySession openSession() {
        return cluster.sessions.open();
    }

    /**
     * Makes reads on the current thread use {@code consistency} until the returned scope is closed
     * (the previous level comes back): for a method that must see the master's newest data
     * ({@code STRONG}) or may read anything fresh enough ({@code EVENTUAL}). A connection's own
     * {@link LagwiseConnection#setConsistency} and a statement's hint still take precedence. Spring
     * applications can use the {@code @ReadConsistency} annotation instead.
     *
     * <pre>{@code
     * try (var scope = ds.withConsistency(Consistency.STRONG)) {
     *     balance = jdbc.queryForObject("SELECT balance FROM account WHERE id = ?", Long.class, id);
     * }
     * }</pre>
     *
     * @throws NullPointerException if {@code consistency} is null
     */
    public ConsistencySession.Scope withConsistency(Consistency consistency) {
        Objects.requireNonNull(consistency, "consistency");
        return cluster.sessions.consistency(consistency);
    }

    /**
     * How many statements went where, and why, since start; read-your-writes waits and fallbacks.
     * Cheap (a sum of a few counters); for metrics.
     */
    public RoutingStats routingStats() {
        return cluster.stats();
    }

    /** The current thread's consistency session: one opened with {@link #openSession()}, else the thread's own. */
    public ConsistencySession session() {
        return cluster.sessions.current();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    /** Ignored: Lagwise logs through SLF4J. */
    @Override
    public void setLogWriter(PrintWriter out) {
        // SLF4J only
    }

    /** Ignored: each pool's connection timeout applies ({@link PoolOptions#connectionTimeout}). */
    @Override
    public void setLoginTimeout(int seconds) {
        // per-pool connectionTimeout applies
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Lagwise logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException(cluster.name + ": not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("LagwiseDataSource[").append(cluster.name).append(": ");
        for (int i = 0; i < nodes.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(nodes.get(i).label());
        }
        return sb.append(closed ? ", closed]" : "]").toString();
    }

    /**
     * Builds a {@link LagwiseDataSource}. Each setter checks its value at once
     * ({@link IllegalArgumentException} naming the setting and the value); {@link #build()} checks
     * the whole (a master, no node twice) and starts the pools. A builder builds once.
     */
    public static final class Builder {

        private String name = "lagwise";
        private NodeSpec master;
        private final List<NodeSpec> replicas = new ArrayList<>();
        private String username;
        private String password;
        private String localRegion;
        private final PoolOptions pool = new PoolOptions();
        private ReadFallback readFallback = ReadFallback.MASTER;
        private ReplicaSelector selector = ReplicaSelector.preferLocal();
        private Duration connectTimeout = Duration.ofSeconds(3);
        private boolean degradedStart;
        private boolean followPromotions = true;
        private long statementCacheSize = 10_000;
        private Ticker ticker = Ticker.system();
        private com.zaxxer.hikari.metrics.MetricsTrackerFactory poolMetrics;
        private Duration maxReplicationLag = Duration.ofSeconds(1);
        private Duration monitorInterval = Duration.ofMillis(250);
        private Duration probeTimeout = Duration.ofSeconds(1);
        private Duration heartbeatInterval;
        private String heartbeatTable = "lagwise_heartbeat";
        private String monitorUsername;
        private String monitorPassword;
        private Duration latencyWindow;
        private Duration replicaReadTimeout = Duration.ofSeconds(30);
        private Consistency consistency = Consistency.READ_YOUR_WRITES;
        private ReadYourWritesMode readYourWritesMode = ReadYourWritesMode.GTID;
        private Duration readYourWritesMaxWait = Duration.ofMillis(50);
        private Duration pinWindowMinimum = Duration.ofMillis(100);
        private double readYourWritesMasterBudget = 1.0;
        private boolean customSelector;
        private final List<ClusterListener> listeners = new ArrayList<>();
        private boolean built;

        private Builder() {}

        private record NodeSpec(String setting, JdbcUrl url, String region, NodeOptions options) {}

        /**
         * The data source's name, used in logs, pool names and messages; default {@code lagwise}.
         *
         * @throws InvalidSettingException if blank or longer than 64 characters (setting {@code name})
         */
        public Builder name(String name) {
            sealed();
            if (name == null || name.isBlank() || name.length() > 64) {
                throw new InvalidSettingException("name", "name must be 1-64 characters and not blank: '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * The master's JDBC URL ({@code jdbc:mariadb://…} or {@code jdbc:mysql://…}, one host).
         *
         * @throws InvalidSettingException if the URL is malformed or unsupported (setting
         *     {@code master.url})
         * @throws ConflictingSettingsException if a master was given already, or a replica given
         *     already is the same server
         */
        public Builder master(String url) {
            return master(url, n -> { });
        }

        /**
         * The master's JDBC URL, with node settings.
         *
         * @throws InvalidSettingException if the URL is malformed or unsupported (setting
         *     {@code master.url}), a node setting is invalid, or the options make the master a
         *     backup (setting {@code master.backup})
         * @throws ConflictingSettingsException if a master was given already, or a replica given
         *     already is the same server
         */
        public Builder master(String url, Consumer<NodeOptions> options) {
            sealed();
            if (master != null) {
                throw new ConflictingSettingsException(List.of("master.url"), "master was already set to " + master.url.redacted());
            }
            NodeOptions o = options("master", options);
            if (o.backup) {
                throw new InvalidSettingException("master.backup", "the master cannot be a backup replica");
            }
            JdbcUrl parsed = parse("master", url);
            for (NodeSpec r : replicas) {
                if (r.url.sameServerAs(parsed)) {
                    throw new ConflictingSettingsException(List.of(r.setting + ".url", "master.url"), r.setting + " " + r.url.hostAndPort() + " is the master's server; a replica must be another server");
                }
            }
            master = new NodeSpec("master", parsed, "", o);
            return this;
        }

        /**
         * A replica in {@code region}.
         *
         * @throws InvalidSettingException if the URL is malformed or unsupported (setting
         *     {@code replica[i].url}, i counting replicas from 0), or the region is blank or not a
         *     plain label ({@code replica[i].region})
         * @throws ConflictingSettingsException if the URL names the master's server or a replica's
         *     given already
         */
        public Builder replica(String url, String region) {
            return replica(url, region, n -> { });
        }

        /**
         * A replica in {@code region}, with node settings (credentials, backup, pool).
         *
         * @throws InvalidSettingException if the URL is malformed or unsupported (setting
         *     {@code replica[i].url}, i counting replicas from 0), the region is blank or not a
         *     plain label ({@code replica[i].region}), or a node setting is invalid
         * @throws ConflictingSettingsException if the URL names the master's server or a replica's
         *     given already
         */
        public Builder replica(String url, String region, Consumer<NodeOptions> options) {
            sealed();
            String setting = "replica[" + replicas.size() + "]";
            JdbcUrl parsed = parse(setting, url);
            if (master != null && parsed.sameServerAs(master.url)) {
                throw new ConflictingSettingsException(List.of(setting + ".url", "master.url"), setting + " " + parsed.hostAndPort() + " is the master's server; a replica must be another server");
            }
            for (NodeSpec r : replicas) {
                if (key(r.url).equals(key(parsed))) {
                    throw new ConflictingSettingsException(List.of(setting + ".url", r.setting + ".url"), setting + " " + parsed.hostAndPort() + " is given twice");
                }
            }
            replicas.add(new NodeSpec(setting, parsed, region(setting + ".region", setting + " region", region), options(setting, options)));
            return this;
        }

        /**
         * A backup replica in {@code region}: it takes reads only when no other replica can.
         *
         * @throws InvalidSettingException if the URL is malformed or unsupported (setting
         *     {@code replica[i].url}), or the region is blank or not a plain label
         *     ({@code replica[i].region})
         * @throws ConflictingSettingsException if the URL names the master's server or a replica's
         *     given already
         */
        public Builder backupReplica(String url, String region) {
            return replica(url, region, n -> n.backup(true));
        }

        /**
         * The user for every node that does not set its own (or carry one in its URL).
         *
         * @throws InvalidSettingException if blank (setting {@code username})
         */
        public Builder username(String username) {
            sealed();
            if (username == null || username.isBlank()) {
                throw new InvalidSettingException("username", "username cannot be blank: '" + username + "'");
            }
            this.username = username;
            return this;
        }

        /**
         * The password for every node that does not set its own. Never logged or shown.
         *
         * @throws InvalidSettingException if null (setting {@code password})
         */
        public Builder password(String password) {
            sealed();
            if (password == null) {
                throw new InvalidSettingException("password", "password cannot be null");
            }
            this.password = password;
            return this;
        }

        /**
         * Where this application runs; replicas in this region are preferred. Default none: all
         * replicas are equal.
         *
         * @throws InvalidSettingException if blank or not a plain label (setting {@code localRegion})
         */
        public Builder localRegion(String region) {
            sealed();
            this.localRegion = region("localRegion", "localRegion", region);
            return this;
        }

        /** Tunes every node's pool; a node's own {@link NodeOptions#pool} settings win. */
        public Builder pool(Consumer<PoolOptions> settings) {
            sealed();
            Objects.requireNonNull(settings, "settings").accept(pool);
            return this;
        }

        /** What a read does when no replica can take it; default {@link ReadFallback#MASTER}. */
        public Builder readFallback(ReadFallback fallback) {
            sealed();
            this.readFallback = Objects.requireNonNull(fallback, "readFallback");
            return this;
        }

        /**
         * The policy that picks a replica; default {@link ReplicaSelector#preferLocal()}.
         *
         * @throws ConflictingSettingsException if a {@link #latencyWindow} was given (settings
         *     {@code replicaSelector} and {@code latencyWindow})
         */
        public Builder replicaSelector(ReplicaSelector selector) {
            sealed();
            if (latencyWindow != null) {
                throw new ConflictingSettingsException(List.of("replicaSelector", "latencyWindow"), "latencyWindow belongs to the default selector; it cannot be combined with replicaSelector");
            }
            this.selector = Objects.requireNonNull(selector, "replicaSelector");
            this.customSelector = true;
            return this;
        }

        /**
         * Replicas whose round-trip time is within this of the nearest one's count as equally near
         * and share reads by load; default 5 ms.
         *
         * @throws InvalidSettingException if null or negative (setting {@code latencyWindow})
         * @throws ConflictingSettingsException if a custom {@link #replicaSelector} was given
         *     (settings {@code latencyWindow} and {@code replicaSelector})
         */
        public Builder latencyWindow(Duration window) {
            sealed();
            if (customSelector) {
                throw new ConflictingSettingsException(List.of("latencyWindow", "replicaSelector"), "latencyWindow belongs to the default selector; it cannot be combined with replicaSelector");
            }
            if (window == null || window.isNegative()) {
                throw new InvalidSettingException("latencyWindow", "latencyWindow cannot be negative: " + window);
            }
            this.selector = ReplicaSelector.preferLocal(window);
            this.latencyWindow = window;
            return this;
        }

        /**
         * The most a replica may trail the master and still take reads; default 1 s.
         *
         * @throws InvalidSettingException unless positive (setting {@code maxReplicationLag})
         */
        public Builder maxReplicationLag(Duration lag) {
            sealed();
            this.maxReplicationLag = positive("maxReplicationLag", lag);
            return this;
        }

        /**
         * How often the monitor probes each node; default 250 ms.
         *
         * @throws InvalidSettingException unless at least 10 ms (setting {@code monitorInterval})
         */
        public Builder monitorInterval(Duration interval) {
            sealed();
            if (interval == null || interval.toMillis() < 10) {
                throw new InvalidSettingException("monitorInterval", "monitorInterval must be at least 10ms: " + interval);
            }
            this.monitorInterval = interval;
            return this;
        }

        /**
         * How long one probe may take (its connect and socket timeouts); a frozen server fails its
         * probe in this time. Default 1 s.
         *
         * @throws InvalidSettingException unless at least 50 ms (setting {@code probeTimeout})
         */
        public Builder probeTimeout(Duration timeout) {
            sealed();
            if (timeout == null || timeout.toMillis() < 50) {
                throw new InvalidSettingException("probeTimeout", "probeTimeout must be at least 50ms: " + timeout);
            }
            this.probeTimeout = timeout;
            return this;
        }

        /**
         * Turns heartbeats on: the monitor writes one row per application instance into
         * {@link #heartbeatTable} every {@code interval} and times its arrival on each replica, for
         * lag to the millisecond. Off by default: the GTID timeline measures lag without writing.
         * Needs CREATE and INSERT/DELETE on the table (created if absent); without them, one warning
         * and the other sources carry on.
         *
         * @throws InvalidSettingException unless at least 100 ms (setting {@code heartbeat})
         */
        public Builder heartbeat(Duration interval) {
            sealed();
            if (interval == null || interval.toMillis() < 100) {
                throw new InvalidSettingException("heartbeat", "heartbeat interval must be at least 100ms: " + interval);
            }
            this.heartbeatInterval = interval;
            return this;
        }

        /**
         * The heartbeat table's name, in the master URL's database; default {@code lagwise_heartbeat}.
         *
         * @throws InvalidSettingException unless a plain SQL name (setting {@code heartbeatTable})
         */
        public Builder heartbeatTable(String table) {
            sealed();
            if (table == null || !table.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                throw new InvalidSettingException("heartbeatTable", "heartbeatTable must be a plain SQL name: '" + table + "'");
            }
            this.heartbeatTable = table;
            return this;
        }

        /**
         * A separate account for the monitor's probes (it needs {@code REPLICATION CLIENT} /
         * {@code SLAVE MONITOR} for {@code SHOW SLAVE STATUS}); default each node's own credentials.
         *
         * @throws InvalidSettingException if the user is blank (setting
         *     {@code monitorCredentials.username}) or the password null
         *     ({@code monitorCredentials.password})
         */
        public Builder monitorCredentials(String username, String password) {
            sealed();
            if (username == null || username.isBlank()) {
                throw new InvalidSettingException("monitorCredentials.username", "monitor username cannot be blank: '" + username + "'");
            }
            if (password == null) {
                throw new InvalidSettingException("monitorCredentials.password", "monitor password cannot be null");
            }
            this.monitorUsername = username;
            this.monitorPassword = password;
            return this;
        }

        /**
         * The longest a read may wait on a replica's socket (sets the driver's {@code socketTimeout}
         * on replica pools, unless a replica URL sets it); default 30 s. A frozen replica accepts
         * TCP and never answers: this bounds how long a read waits on it before it runs elsewhere.
         * A read that times out while the monitor kept hearing the replica is merely slow: it fails
         * once, naming the replica, is not run elsewhere, and the replica stays up. Keep it well above
         * {@link #monitorInterval} (build() warns below twice that), or every timeout looks frozen.
         * Zero turns it off.
         *
         * @throws InvalidSettingException if null or negative (setting {@code replicaReadTimeout})
         */
        public Builder replicaReadTimeout(Duration timeout) {
            sealed();
            if (timeout == null || timeout.isNegative()) {
                throw new InvalidSettingException("replicaReadTimeout", "replicaReadTimeout cannot be negative: " + timeout);
            }
            this.replicaReadTimeout = timeout;
            return this;
        }

        /**
         * How fresh reads must be unless a connection asks otherwise; default
         * {@link Consistency#READ_YOUR_WRITES}.
         */
        public Builder consistency(Consistency consistency) {
            sealed();
            this.consistency = Objects.requireNonNull(consistency, "consistency");
            return this;
        }

        /** How read-your-writes is kept; default {@link ReadYourWritesMode#GTID}. */
        public Builder readYourWrites(ReadYourWritesMode mode) {
            sealed();
            this.readYourWritesMode = Objects.requireNonNull(mode, "readYourWrites mode");
            return this;
        }

        /**
         * In GTID mode, how long a read waits for a replica to apply the session's token before it
         * goes to the master; default 50 ms; zero goes to the master at once.
         *
         * @throws InvalidSettingException if null, negative or over 10 s (setting
         *     {@code readYourWritesMaxWait})
         */
        public Builder readYourWritesMaxWait(Duration wait) {
            sealed();
            if (wait == null || wait.isNegative() || wait.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new InvalidSettingException("readYourWritesMaxWait", "readYourWritesMaxWait must be 0-10s: " + wait);
            }
            this.readYourWritesMaxWait = wait;
            return this;
        }

        /**
         * In GTID mode, how many reads per write read-your-writes may send to the master because
         * reading there costs less than waiting for a replica (the master's round trip from here
         * beside the replica's expected catch-up): each write this data source makes adds that much
         * credit, which fades within about a second. Past it, such reads wait on a replica (up to {@link
         * #readYourWritesMaxWait}), so that a burst of writes cannot move the replicas' read load onto
         * the master. Default 1 (the read that follows a write); 0 never sends a read to the master for
         * being cheaper: reads wait on replicas as before. Reads that go
         * there because no replica caught up in time are not counted.
         *
         * @throws InvalidSettingException if negative, not a number or infinite (setting {@code
         *     readYourWritesMasterBudget})
         */
        public Builder readYourWritesMasterBudget(double readsPerWrite) {
            sealed();
            if (!(readsPerWrite >= 0) || Double.isInfinite(readsPerWrite)) {
                throw new InvalidSettingException("readYourWritesMasterBudget", "readYourWritesMasterBudget must be a number of reads per write, 0 or more: " + readsPerWrite);
            }
            this.readYourWritesMasterBudget = readsPerWrite;
            return this;
        }

        /**
         * In PIN mode (or when a write's GTID is unknown), the shortest time after a write that the
         * session reads from the master; the window is twice the p99 of the healthy replicas' lag
         * over the last minute when that is longer. Default 100 ms.
         *
         * @throws InvalidSettingException if null or negative (setting {@code pinWindowMinimum})
         */
        public Builder pinWindowMinimum(Duration minimum) {
            sealed();
            if (minimum == null || minimum.isNegative()) {
                throw new InvalidSettingException("pinWindowMinimum", "pinWindowMinimum cannot be negative: " + minimum);
            }
            this.pinWindowMinimum = minimum;
            return this;
        }

        /** Adds a listener told of every node health change, on a monitor thread. */
        public Builder listener(ClusterListener listener) {
            sealed();
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The driver's TCP connect timeout for every node (sets {@code connectTimeout} on the
         * driver); default 3 s. It bounds connecting only: a frozen server accepts TCP and then never
         * answers, so set the driver's {@code socketTimeout} (in the URL or with
         * {@link PoolOptions#dataSourceProperty}) to bound a query on it.
         *
         * @throws InvalidSettingException unless positive (setting {@code connectTimeout})
         */
        public Builder connectTimeout(Duration timeout) {
            sealed();
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new InvalidSettingException("connectTimeout", "connectTimeout must be positive: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Whether roles come from the servers (default true). Each probe then also reads whether the
         * node takes writes ({@code read_only}; on MySQL also {@code super_read_only}) and which
         * server it replicates from; the master is the writable node that replicates from no
         * configured node ({@link io.lagwise.core.MasterElection}). When another configured node
         * qualifies — a replica promoted by an operator, Orchestrator or MHA — writes go there
         * within a probe interval or two, and follow it back when roles flip back. Lagwise never
         * promotes a server: it follows. When two nodes qualify and the configured replicas do not
         * settle which, or the master is read-only, writes are refused with an {@link SQLException}
         * naming the servers; a transaction open on the old master is lost with a clear error and
         * never run again.
         *
         * <p>False keeps the roles as configured, for set-ups where a virtual IP or a proxy moves to
         * the new master instead (the URL then always names the master).
         */
        public Builder followPromotions(boolean follow) {
            sealed();
            this.followPromotions = follow;
            return this;
        }

        /**
         * Whether {@link #build()} may succeed while some nodes cannot be reached: they start as down
         * (writes fail fast while the master is down; reads use the replicas that answer). Default
         * false: every node must answer at build time.
         */
        public Builder allowDegradedStart(boolean allow) {
            sealed();
            this.degradedStart = allow;
            return this;
        }

        /**
         * How many distinct SQL texts the statement classifier remembers; default 10,000. Their memory
         * is bounded too: the cache weighs each text by its length (at least 256 characters) and holds
         * at most {@code size × 256} characters, a few MB at the default, however long the texts.
         *
         * @throws InvalidSettingException if less than 1 (setting {@code statementCacheSize})
         */
        public Builder statementCacheSize(long size) {
            sealed();
            if (size < 1) {
                throw new InvalidSettingException("statementCacheSize", "statementCacheSize must be at least 1, was " + size);
            }
            this.statementCacheSize = size;
            return this;
        }

        /**
         * Where every node's HikariCP pool reports its metrics, e.g. HikariCP's
         * {@code MicrometerMetricsTrackerFactory}; each pool is named
         * {@code <name>.master@host:port} or {@code <name>.replica[i]@host:port}. Default: none.
         * Spring Boot sets it when Micrometer is present.
         */
        public Builder poolMetrics(com.zaxxer.hikari.metrics.MetricsTrackerFactory factory) {
            sealed();
            this.poolMetrics = Objects.requireNonNull(factory, "poolMetrics");
            return this;
        }

        /** The monotonic clock for health backoffs, pin windows and timeouts; for tests. Default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            sealed();
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Checks the configuration, starts a pool per node, and checks that every node answers.
         *
         * @throws IllegalStateException if no master was given, a node is given twice (or a replica
         *     is the master's server), a password is given both in a URL and by setter, or this
         *     builder has built already
         * @throws SQLException if a node cannot be reached or refuses the credentials (unless
         *     {@link #allowDegradedStart} is set); the message names the node, never a password
         */
        public LagwiseDataSource build() throws SQLException {
            sealed();
            if (master == null) {
                throw new IllegalStateException("a master is required: call master(url)");
            }
            Set<String> servers = new LinkedHashSet<>();
            servers.add(key(master.url));
            for (NodeSpec r : replicas) {
                if (r.url.sameServerAs(master.url)) {
                    throw new IllegalStateException(r.setting + " " + r.url.hostAndPort() + " is the master's server; a replica must be another server");
                }
                if (!servers.add(key(r.url))) {
                    throw new IllegalStateException(r.setting + " " + r.url.hostAndPort() + " is given twice");
                }
            }
            if (localRegion != null && replicas.stream().noneMatch(r -> r.region.equals(localRegion))) {
                log.warn("{}: localRegion '{}' matches no replica (regions: {}); every replica counts as remote", name, localRegion, replicas.stream().map(NodeSpec::region).distinct().toList());
            }
            if (!replicaReadTimeout.isZero() && replicaReadTimeout.compareTo(monitorInterval.multipliedBy(2)) < 0) {
                log.warn("{}: replicaReadTimeout {} is under twice monitorInterval {}: a read that times out cannot be told slow from frozen, and is run again on another node", name, replicaReadTimeout, monitorInterval);
            }
            built = true;
            List<Node> started = new ArrayList<>();
            try {
                Node m = node(master, NodeRole.MASTER);
                started.add(m);
                List<Node> rs = new ArrayList<>();
                for (NodeSpec r : replicas) {
                    Node n = node(r, NodeRole.REPLICA);
                    started.add(n);
                    rs.add(n);
                }
                for (Node n : started) {
                    check(n);
                }
                Cluster cluster = new Cluster(name, m, rs, selector, localRegion, readFallback,
                        new StatementClassifier(statementCacheSize), consistency, readYourWritesMode,
                        readYourWritesMaxWait, pinWindowMinimum, readYourWritesMasterBudget, ticker);
                cluster.answerWindowNanos = 2 * monitorInterval.toNanos();
                cluster.learnCapNanos = maxReplicationLag.toNanos();
                ReplicaMonitor monitor = new ReplicaMonitor(cluster, ticker, monitorInterval, probeTimeout,
                        maxReplicationLag, heartbeatInterval, heartbeatTable, listeners, followPromotions);
                monitor.probeAllOnce(); // routing starts informed
                monitor.start();
                LagwiseDataSource ds = new LagwiseDataSource(cluster, monitor, ticker);
                log.info("{}: started with {}", name, ds);
                return ds;
            } catch (SQLException | RuntimeException e) {
                for (Node n : started) {
                    n.close();
                }
                throw e;
            }
        }

        private Node node(NodeSpec spec, NodeRole role) {
            HikariConfig first = poolConfig(spec, role);
            poolConfig(spec, role == NodeRole.MASTER ? NodeRole.REPLICA : NodeRole.MASTER); // checked now, made on a promotion
            String given = parameter(spec.url, "trackSessionState");
            given = given != null ? given : pool.overriddenBy(spec.options.pool).dataSourceProperties.get("trackSessionState");
            boolean tracksGtids = spec.url.driver() == JdbcUrl.Driver.MYSQL && TrackedGtids.DRIVER_PRESENT
                    && (given == null || given.equalsIgnoreCase("true") || given.equalsIgnoreCase("yes"));
            Properties monitor = new Properties();
            String user = spec.options.username != null ? spec.options.username : username;
            String pw = spec.options.password != null ? spec.options.password : password;
            String monitorUser = monitorUsername != null ? monitorUsername : user;
            String monitorPw = monitorUsername != null ? monitorPassword : pw;
            if (monitorUser != null) {
                monitor.setProperty("user", monitorUser);
            }
            if (monitorPw != null) {
                monitor.setProperty("password", monitorPw);
            }
            return new Node(name, spec.url, role, spec.region, spec.options.backup,
                    r -> r == role ? first : poolConfig(spec, r), tracksGtids, monitor, ticker);
        }

        /** The pool settings of a node in a role: a master's pool writes; a replica's is read-only, with a read timeout. */
        private HikariConfig poolConfig(NodeSpec spec, NodeRole role) {
            PoolOptions p = pool.overriddenBy(spec.options.pool);
            HikariConfig c = new HikariConfig();
            c.setPoolName(name + "." + (role == NodeRole.MASTER ? "master" : spec.setting.equals("master") ? "replica" : spec.setting) + "@" + spec.url.hostAndPort());
            c.setJdbcUrl(spec.url.url());
            String user = spec.options.username != null ? spec.options.username : username;
            String pw = spec.options.password != null ? spec.options.password : password;
            if (pw != null && hasParameter(spec.url, "password")) {
                String by = spec.options.password != null ? spec.setting + ".password" : "password";
                throw new ConflictingSettingsException(List.of(spec.setting + ".url", by), "the password for " + spec.setting + " is given twice: in its URL and by password(); give it once");
            }
            if (user != null) {
                c.setUsername(user);
            }
            if (pw != null) {
                c.setPassword(pw);
            }
            c.setMaximumPoolSize(p.maximumPoolSize != null ? p.maximumPoolSize : 10);
            if (p.minimumIdle != null) {
                if (p.minimumIdle > c.getMaximumPoolSize()) {
                    throw new InvalidSettingException(poolSetting(spec, "minimumIdle", spec.options.pool.minimumIdle != null), spec.setting + " minimumIdle " + p.minimumIdle + " cannot exceed maximumPoolSize " + c.getMaximumPoolSize());
                }
                c.setMinimumIdle(p.minimumIdle);
            }
            c.setConnectionTimeout(millis(p.connectionTimeout, Duration.ofSeconds(3)));
            c.setValidationTimeout(millis(p.validationTimeout, Duration.ofSeconds(2)));
            if (p.idleTimeout != null) {
                c.setIdleTimeout(p.idleTimeout.toMillis());
            }
            if (p.maxLifetime != null) {
                c.setMaxLifetime(p.maxLifetime.toMillis());
            }
            if (p.keepaliveTime != null) {
                c.setKeepaliveTime(p.keepaliveTime.toMillis());
            }
            // HikariCP would quietly turn these off when set so; say so instead.
            if (p.keepaliveTime != null && c.getMaxLifetime() > 0 && c.getKeepaliveTime() > 0
                    && c.getKeepaliveTime() >= c.getMaxLifetime()) {
                throw new InvalidSettingException(poolSetting(spec, "keepaliveTime", spec.options.pool.keepaliveTime != null), spec.setting + " keepaliveTime " + c.getKeepaliveTime() + "ms must be shorter than maxLifetime " + c.getMaxLifetime() + "ms");
            }
            if (p.idleTimeout != null && c.getMaxLifetime() > 0 && c.getIdleTimeout() > 0
                    && c.getIdleTimeout() + 1000 > c.getMaxLifetime()) {
                throw new InvalidSettingException(poolSetting(spec, "idleTimeout", spec.options.pool.idleTimeout != null), spec.setting + " idleTimeout " + c.getIdleTimeout() + "ms must be at least 1s shorter than maxLifetime " + c.getMaxLifetime() + "ms");
            }
            c.setInitializationFailTimeout(-1); // build() checks each node itself, with a clearer message
            if (role == NodeRole.REPLICA) {
                // Every replica connection is read-only, set once per physical connection by the pool:
                // even a write the classifier cannot see (a stored function) fails on a replica.
                c.setReadOnly(true);
                // Said to the server too: MySQL Connector/J does not pass read-only on to MariaDB.
                c.setConnectionInitSql("SET SESSION TRANSACTION READ ONLY");
            }
            if (!hasParameter(spec.url, "connectTimeout")) {
                c.addDataSourceProperty("connectTimeout", Long.toString(connectTimeout.toMillis()));
            }
            if (role == NodeRole.REPLICA && !replicaReadTimeout.isZero() && !hasParameter(spec.url, "socketTimeout")) {
                c.addDataSourceProperty("socketTimeout", Long.toString(replicaReadTimeout.toMillis()));
            }
            if (role == NodeRole.MASTER && spec.url.driver() == JdbcUrl.Driver.MYSQL && TrackedGtids.DRIVER_PRESENT) {
                // MySQL Connector/J keeps the GTIDs each write reports, so read-your-writes needs no
                // round trip to learn a write's position; a URL (or data source property) that says
                // otherwise wins
                String given = parameter(spec.url, "trackSessionState");
                given = given != null ? given : p.dataSourceProperties.get("trackSessionState");
                if (given == null) {
                    c.addDataSourceProperty("trackSessionState", "true");
                }
            }
            p.dataSourceProperties.forEach(c::addDataSourceProperty);
            if (poolMetrics != null) {
                c.setMetricsTrackerFactory(poolMetrics);
            }
            return c;
        }

        private void check(Node n) throws SQLException {
            try {
                Connection c = n.borrow();
                try {
                    n.dialect = ServerDialect.of(c);
                    if (n.role == NodeRole.MASTER) {
                        n.writesGtids(n.dialect.writesGtids(c));
                    }
                } finally {
                    n.release(c);
                }
            } catch (SQLException e) {
                String message = name + ": cannot connect to " + n.label() + " at start: " + SqlErrors.describe(e);
                if (!degradedStart) {
                    throw new SQLException(message + (n.role == NodeRole.REPLICA ? " (allowDegradedStart(true) starts without it)" : ""), e.getSQLState(), e);
                }
                n.markDown(e);
                n.health = Health.DOWN;
                log.warn("{}; starting without it (allowDegradedStart)", message);
            }
        }

        private static Duration positive(String setting, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new InvalidSettingException(setting, setting + " must be positive: " + value);
            }
            return value;
        }

        /** Where a node's pool setting was given: the node's own pool ({@code own}), else every node's. */
        private String poolSetting(NodeSpec spec, String name, boolean own) {
            return (own ? spec.options.pool : pool).setting(name);
        }

        private static boolean hasParameter(JdbcUrl url, String name) {
            return url.parameters().keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
        }

        private static String parameter(JdbcUrl url, String name) {
            return url.parameters().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }

        private static long millis(Duration value, Duration fallback) {
            return (value != null ? value : fallback).toMillis();
        }

        private static String key(JdbcUrl url) {
            return url.host().toLowerCase(java.util.Locale.ROOT) + ":" + url.port();
        }

        /** Parses a node's URL; {@code node} is {@code master} or {@code replica[i]}. */
        private static JdbcUrl parse(String node, String url) {
            try {
                return JdbcUrl.parse(url);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(node + ".url", node + " url: " + e.getMessage(), e);
            }
        }

        /** Checks a region; {@code label} names it in the message, e.g. {@code replica[0] region}. */
        private static String region(String setting, String label, String region) {
            if (region == null || region.isBlank()) {
                throw new InvalidSettingException(setting, label + " cannot be blank: '" + region + "'");
            }
            if (!region.equals(region.strip()) || region.length() > 64) {
                throw new InvalidSettingException(setting, label + " must be a plain label of at most 64 characters without surrounding spaces: '" + region + "'");
            }
            return region;
        }

        private static NodeOptions options(String node, Consumer<NodeOptions> options) {
            NodeOptions o = new NodeOptions(node);
            Objects.requireNonNull(options, "options").accept(o);
            return o;
        }

        private void sealed() {
            if (built) {
                throw new IllegalStateException("this builder has built its LagwiseDataSource '" + name + "' already; use a new builder");
            }
        }
    }
}
