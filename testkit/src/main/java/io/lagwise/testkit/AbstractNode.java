package io.lagwise.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * What every node does the same way whatever runs it: addresses, connections, replication status,
 * replication threads and delays. Subclasses own the process (or container) controls.
 */
abstract class AbstractNode implements TopologyNode {

    /** Admin connections must fail fast on a frozen server, yet outlast the longest wait we run. */
    private static final String ADMIN_TIMEOUTS = "&connectTimeout=3000&socketTimeout=60000";
    private static final String APP_TIMEOUTS = "&connectTimeout=3000&socketTimeout=30000";

    final String name;
    /** The role the node was built in: its server options (its {@code my.cnf}) say so, also after a restart. */
    final Role builtRole;
    /** Its role now: {@link ReplicationTopology#promote} changes it. */
    volatile Role role;
    final String region;
    final int serverId;
    final Dialect dialect;
    /**
     * False for a MySQL server run without GTIDs: replicas then follow the master by binary log file
     * and offset, and waiting for replication compares those instead of GTID sets.
     */
    final boolean gtids;
    final Credentials credentials;
    final Duration builtReplicationDelay;
    final Duration builtClientDelay;
    DelayProxy replicationProxy;
    DelayProxy clientProxy;
    volatile State state = State.RUNNING;
    /** Set by every control call, cleared by {@link #reset()}: lets reset skip untouched nodes. */
    volatile boolean changed;

    AbstractNode(String name, Role role, String region, int serverId, Dialect dialect, boolean gtids,
            Credentials credentials, Duration replicationDelay, Duration clientDelay) {
        this.name = name;
        this.role = role;
        this.builtRole = role;
        this.region = region;
        this.serverId = serverId;
        this.dialect = dialect;
        this.gtids = gtids;
        this.credentials = credentials;
        this.builtReplicationDelay = replicationDelay;
        this.builtClientDelay = clientDelay;
    }

    /** The host of the server itself (not of a proxy). */
    abstract String directHost();

    /** Brings a killed or frozen node back to running, and waits until it answers. */
    abstract void bringBack();

    @Override
    public String name() {
        return name;
    }

    @Override
    public Role role() {
        return role;
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public int serverId() {
        return serverId;
    }

    @Override
    public String host() {
        return clientProxy != null ? "127.0.0.1" : directHost();
    }

    @Override
    public int port() {
        return clientProxy != null ? clientProxy.port() : directPort();
    }

    @Override
    public String jdbcUrl(JdbcDriver driver) {
        return url(driver, host(), port(), credentials.database());
    }

    /**
     * The driver's URL, plus what this server kind needs: on MySQL, MariaDB Connector/J must be
     * allowed to fetch the server's RSA key to log a {@code caching_sha2_password} user in over plain
     * TCP (MySQL Connector/J's default parameters already allow it).
     */
    private String url(JdbcDriver driver, String host, int port, String database) {
        String url = driver.url(host, port, database);
        return dialect == Dialect.MYSQL && driver == JdbcDriver.MARIADB ? url + "&allowPublicKeyRetrieval=true" : url;
    }

    @Override
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(JdbcDriver.preferred()) + APP_TIMEOUTS,
                credentials.username(), credentials.password());
    }

    @Override
    public Connection connectDirect() throws SQLException {
        String url = url(JdbcDriver.preferred(), directHost(), directPort(), credentials.database());
        return DriverManager.getConnection(url + APP_TIMEOUTS, credentials.username(), credentials.password());
    }

    @Override
    public Connection connectAdmin() throws SQLException {
        String url = url(JdbcDriver.preferred(), directHost(), directPort(), "") + ADMIN_TIMEOUTS;
        for (int attempt = 1; ; attempt++) {
            try {
                return DriverManager.getConnection(url, credentials.adminUser(), credentials.adminPassword());
            } catch (SQLException e) {
                // 1130 "Host is not allowed to connect": seen for a moment on a replica while it applies
                // the replicated CREATE USER statements and reloads its privileges. Try again briefly.
                if (e.getErrorCode() != 1130 || attempt >= 40) {
                    throw e;
                }
                try {
                    Thread.sleep(25);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public ReplicaStatus replicaStatus() {
        requireReplica("replicaStatus");
        try (Connection c = connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.showReplicaStatus)) {
            if (!rs.next()) {
                throw new TopologyException(name + " is not configured as a replica (" + dialect.showReplicaStatus + " returned no row)");
            }
            long seconds = rs.getLong(dialect.secondsBehindColumn);
            OptionalLong behind = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(seconds);
            return new ReplicaStatus(behind, "Yes".equalsIgnoreCase(rs.getString(dialect.ioRunningColumn)),
                    "Yes".equalsIgnoreCase(rs.getString(dialect.sqlRunningColumn)),
                    nullToEmpty(rs.getString("Last_IO_Error")), nullToEmpty(rs.getString("Last_SQL_Error")));
        } catch (SQLException e) {
            throw failed("read the replica status of", e);
        }
    }

    /**
     * Whether this replica is meant to be replicating now: its SQL thread runs and its IO thread
     * runs or is connecting (as it is for a moment after {@code START SLAVE}).
     */
    boolean replicationSwitchedOn() {
        try (Connection c = connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.showReplicaStatus)) {
            return rs.next() && "Yes".equalsIgnoreCase(rs.getString(dialect.sqlRunningColumn))
                    && !"No".equalsIgnoreCase(rs.getString(dialect.ioRunningColumn));
        } catch (SQLException e) {
            throw failed("read the replica status of", e);
        }
    }

    @Override
    public String gtidPosition() {
        if (!gtids) {
            return ""; // gtid_mode=OFF: @@gtid_executed stays empty, asking would only say so
        }
        String sql = role == Role.MASTER ? dialect.masterPosition : dialect.replicaPosition;
        try (Connection c = connectAdmin(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return nullToEmpty(rs.getString(1)).replace("\n", "");
        } catch (SQLException e) {
            throw failed("read the GTID position of", e);
        }
    }

    /**
     * Stops the IO thread and waits (up to {@code timeout}) until the SQL thread has applied every
     * event received, as failover tools do before promoting a replica: nothing it fetched is lost with
     * its relay logs. A stopped SQL thread is not waited for.
     */
    void applyReceived(Duration timeout) {
        String column = dialect == Dialect.MARIADB ? "Gtid_IO_Pos" : "Retrieved_Gtid_Set";
        String received;
        boolean applying;
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            s.execute(dialect.stopIoThread());
            try (ResultSet rs = s.executeQuery(dialect.showReplicaStatus)) {
                if (!rs.next()) {
                    return;
                }
                received = nullToEmpty(rs.getString(column)).replace("\n", "");
                applying = "Yes".equalsIgnoreCase(rs.getString(dialect.sqlRunningColumn));
            }
        } catch (SQLException e) {
            throw failed("stop the IO thread of", e);
        }
        if (applying && !received.isEmpty() && !awaitPosition(received, timeout)) {
            throw new TopologyException(name + " has not applied what it received (" + received + ") within "
                    + timeout.toMillis() + " ms; it is at " + appliedPosition() + ": promoting it would lose those transactions");
        }
    }

    /**
     * Waits until this replica has applied {@code position}.
     *
     * @return whether it has within the timeout
     */
    boolean awaitPosition(String position, Duration timeout) {
        if (position.isEmpty()) {
            return true;
        }
        try (Connection c = connectAdmin(); PreparedStatement ps = c.prepareStatement(dialect.waitForPosition)) {
            ps.setString(1, position);
            ps.setDouble(2, Math.max(0.001, timeout.toNanos() / 1e9));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        } catch (SQLException e) {
            throw failed("wait for GTID " + position + " on", e);
        }
    }

    /**
     * Where the master's binary log ends now: everything it has written lies before it. From
     * {@code SHOW MASTER STATUS}, which MySQL 8.2 renamed {@code SHOW BINARY LOG STATUS} (8.4 knows
     * only the new name).
     */
    Coordinates binlogEnd() {
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            ResultSet status;
            try {
                status = s.executeQuery("SHOW MASTER STATUS");
            } catch (SQLException e) {
                if (e.getErrorCode() != 1064) { // ER_PARSE_ERROR: a server that knows only the new name
                    throw e;
                }
                status = s.executeQuery("SHOW BINARY LOG STATUS");
            }
            try (ResultSet rs = status) {
                if (!rs.next()) {
                    throw new TopologyException(name + " writes no binary log: SHOW MASTER STATUS returned no row");
                }
                return new Coordinates(rs.getString("File"), rs.getLong("Position"));
            }
        } catch (SQLException e) {
            throw failed("read the binary log position of", e);
        }
    }

    /**
     * Waits until this replica's SQL thread has applied the master's binary log up to {@code end}:
     * the server's own comparison of {@code Relay_Source_Log_File}/{@code Exec_Source_Log_Pos}
     * with it, without polling.
     *
     * @return whether it has within the timeout; false also when the SQL thread does not run
     */
    boolean awaitCoordinates(Coordinates end, Duration timeout) {
        try (Connection c = connectAdmin(); PreparedStatement ps = c.prepareStatement(dialect.waitForCoordinates)) {
            ps.setString(1, end.file());
            ps.setLong(2, end.offset());
            ps.setDouble(3, Math.max(0.001, timeout.toNanos() / 1e9)); // never 0: that means no timeout
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long events = rs.getLong(1);
                return !rs.wasNull() && events >= 0; // -1: timed out; NULL: the SQL thread does not run
            }
        } catch (SQLException e) {
            throw failed("wait for binary log position " + end + " on", e);
        }
    }

    /**
     * How far this replica has applied, for messages: its GTID position, or without GTIDs the
     * master's binary log file and offset its SQL thread has reached.
     */
    String appliedPosition() {
        if (gtids) {
            return gtidPosition();
        }
        try (Connection c = connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(dialect.showReplicaStatus)) {
            return rs.next() ? new Coordinates(rs.getString(dialect.executedFileColumn),
                    rs.getLong(dialect.executedOffsetColumn)).toString() : "(not a replica)";
        } catch (SQLException e) {
            throw failed("read the replica status of", e);
        }
    }

    @Override
    public void stopSqlThread() {
        replicationCommand("stopSqlThread", dialect.stopSqlThread());
    }

    @Override
    public void startSqlThread() {
        replicationCommand("startSqlThread", dialect.startSqlThread());
    }

    @Override
    public void stopIoThread() {
        replicationCommand("stopIoThread", dialect.stopIoThread());
    }

    @Override
    public void startIoThread() {
        replicationCommand("startIoThread", dialect.startIoThread());
    }

    private void replicationCommand(String operation, String sql) {
        requireReplica(operation);
        changed = true;
        execAdmin(sql);
    }

    void execAdmin(String sql) {
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw failed("run '" + sql + "' on", e);
        }
    }

    /**
     * Runs statements that carry passwords. {@link #execAdmin} puts the statement in its message;
     * this one says only what it did, and masks any of {@code secrets} the server echoes back.
     */
    void execAdminWithSecrets(String what, List<String> statements, String... secrets) {
        try (Connection c = connectAdmin(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            String masked = message;
            for (String secret : secrets) {
                if (secret != null && !secret.isEmpty()) {
                    masked = masked.replace(secret, "****");
                }
            }
            if (masked.equals(message)) {
                throw failed(what, e);
            }
            // The driver's exception holds a password: leave it out of the chain.
            throw new TopologyException("cannot " + what + " " + name + " (" + directHost() + ":" + directPort() + "): " + masked + " [SQLState " + e.getSQLState() + ", error " + e.getErrorCode() + "]");
        }
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Duration replicationDelay() {
        return replicationProxy == null ? Duration.ZERO : replicationProxy.delay();
    }

    @Override
    public void replicationDelay(Duration delay) {
        requireReplica("replicationDelay");
        if (replicationProxy == null) {
            throw new IllegalStateException("replicationDelay applies to replicas built as such; " + name
                    + " was the master, and replicates from nothing since a promote()");
        }
        requireNonNegative("replicationDelay", delay);
        changed = true;
        replicationProxy.delay(delay);
    }

    @Override
    public boolean hasClientProxy() {
        return clientProxy != null;
    }

    @Override
    public Duration clientDelay() {
        return clientProxy == null ? Duration.ZERO : clientProxy.delay();
    }

    @Override
    public void clientDelay(Duration delay) {
        if (clientProxy == null) {
            throw new IllegalStateException(name + " has no client proxy: build it with "
                    + (role == Role.MASTER ? "masterClientDelay(delay)" : "replica(region, clientDelay)"));
        }
        requireNonNegative("clientDelay", delay);
        changed = true;
        clientProxy.delay(delay);
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public long residentMemoryBytes() {
        return 0;
    }

    /** Opens the client delay proxy in front of this node when it was built with a client delay. */
    void openClientProxy() throws java.io.IOException {
        if (builtClientDelay != null) {
            clientProxy = new DelayProxy(name + "-client", new java.net.InetSocketAddress("127.0.0.1", directPort()), builtClientDelay);
        }
    }

    /** Brings the node back to how it was built; see {@link ReplicationTopology#reset()}. */
    void reset() {
        if (!changed) {
            return;
        }
        if (state != State.RUNNING) {
            bringBack();
        }
        if (replicationProxy != null) {
            replicationProxy.delay(builtReplicationDelay);
        }
        if (clientProxy != null) {
            clientProxy.delay(builtClientDelay);
        }
        if (role == Role.REPLICA) {
            if (!replicationSwitchedOn()) {
                execAdmin(dialect.startReplication());
            }
            awaitReplicating(Duration.ofSeconds(10));
        }
        changed = false;
    }

    /** Waits until both replication threads run (the IO thread connects a moment after a start). */
    void awaitReplicating(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ReplicaStatus status = replicaStatus();
        while (!status.replicating()) {
            if (System.nanoTime() - deadline > 0) {
                throw new TopologyException(name + " is not replicating " + timeout.toMillis() + " ms after a start: " + status);
            }
            LocalNode.sleep(10);
            status = replicaStatus();
        }
    }

    void closeProxies() {
        if (replicationProxy != null) {
            replicationProxy.close();
        }
        if (clientProxy != null) {
            clientProxy.close();
        }
    }

    void requireReplica(String operation) {
        if (role != Role.REPLICA) {
            throw new IllegalStateException(operation + " applies to replicas; " + name + " is the master");
        }
    }

    private static void requireNonNegative(String setting, Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException(setting + " cannot be negative or null: " + delay);
        }
    }

    TopologyException failed(String what, SQLException e) {
        return new TopologyException("cannot " + what + " " + name + " (" + directHost() + ":" + directPort() + ", state " + state + "): " + e.getMessage(), e);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public String toString() {
        return name + "[" + role + ", region=" + region + ", server_id=" + serverId + ", " + directHost() + ":"
                + directPort() + (clientProxy != null ? ", client proxy :" + clientProxy.port() : "") + ", " + state + "]";
    }

    /** A place in the master's binary log: a file, and an offset in it at the end of an event. */
    record Coordinates(String file, long offset) {
        @Override
        public String toString() {
            return file + ":" + offset;
        }
    }

    /** The accounts a node is reached with. Its {@code toString} shows no password. */
    record Credentials(String database, String username, String password, String adminUser, String adminPassword) {
        @Override
        public String toString() {
            return "Credentials[database=" + database + ", username=" + username + ", adminUser=" + adminUser + "]";
        }
    }
}
