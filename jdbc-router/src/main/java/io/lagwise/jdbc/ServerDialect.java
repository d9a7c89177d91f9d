package io.lagwise.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a server speaks, for the SQL Lagwise itself sends: GTID positions, causal waits, replica
 * status, a write's own GTID. Chosen by what the server says ({@code getDatabaseProductVersion()})
 * at each connection the monitor makes and at start-up, never by a default: a node unreachable at
 * start is probed in the right SQL once it answers.
 */
enum ServerDialect {

    /** MariaDB: domain-server-sequence positions, {@code MASTER_GTID_WAIT}, {@code SHOW SLAVE STATUS}. */
    MARIADB("SELECT @@gtid_binlog_pos", "SELECT @@gtid_slave_pos", "SELECT MASTER_GTID_WAIT(?, ?)",
            "SHOW SLAVE STATUS", "Slave", "Seconds_Behind_Master", "SELECT @@last_gtid",
            "SELECT @@server_id, @@read_only", "Master_Server_Id"),
    /**
     * MySQL 8.0.22 and newer: GTID sets, {@code WAIT_FOR_EXECUTED_GTID_SET}, {@code SHOW REPLICA
     * STATUS} with {@code Replica_*}/{@code Seconds_Behind_Source} columns (MySQL 8.4 removed the
     * old names). A write's own GTID is not readable without session tracking: the master's
     * {@code @@gtid_executed}, which holds it, stands in.
     */
    MYSQL("SELECT @@gtid_executed", "SELECT @@gtid_executed", "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)",
            "SHOW REPLICA STATUS", "Replica", "Seconds_Behind_Source", null,
            "SELECT @@server_id, @@read_only OR @@super_read_only", "Source_Server_Id"),
    /** MySQL before 8.0.22: as {@link #MYSQL}, with {@code SHOW SLAVE STATUS}. */
    MYSQL_57("SELECT @@gtid_executed", "SELECT @@gtid_executed", "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)",
            "SHOW SLAVE STATUS", "Slave", "Seconds_Behind_Master", null,
            "SELECT @@server_id, @@read_only OR @@super_read_only", "Master_Server_Id");

    /** The master's written position. */
    final String masterPosition;
    /** A replica's applied position. */
    final String appliedPosition;
    /** A bounded wait for a position: two parameters, the position and a timeout in seconds. */
    final String waitForPosition;
    final String replicaStatus;
    /** The prefix of the IO/SQL thread columns: {@code Slave_IO_Running} or {@code Replica_IO_Running}. */
    final String threadColumnPrefix;
    final String secondsBehindColumn;
    /** The session's own last GTID, or null where the server has none to read. */
    final String lastGtid;
    /** The server's id and whether it refuses writes ({@code read_only}, and {@code super_read_only} on MySQL). */
    final String roleQuery;
    /** The replica status column naming the source's server id. */
    final String sourceServerIdColumn;

    ServerDialect(String masterPosition, String appliedPosition, String waitForPosition, String replicaStatus,
            String threadColumnPrefix, String secondsBehindColumn, String lastGtid, String roleQuery,
            String sourceServerIdColumn) {
        this.roleQuery = roleQuery;
        this.sourceServerIdColumn = sourceServerIdColumn;
        this.masterPosition = masterPosition;
        this.appliedPosition = appliedPosition;
        this.waitForPosition = waitForPosition;
        this.replicaStatus = replicaStatus;
        this.threadColumnPrefix = threadColumnPrefix;
        this.secondsBehindColumn = secondsBehindColumn;
        this.lastGtid = lastGtid;
    }

    /** The dialect of a server by its version string: {@code 10.11.19-MariaDB…}, {@code 8.0.31}, {@code 5.5.5-10.11…-MariaDB}. */
    static ServerDialect of(String version) {
        if (version == null) {
            throw new IllegalArgumentException("no server version");
        }
        if (version.contains("MariaDB")) {
            return MARIADB;
        }
        int[] v = numbers(version);
        boolean replicaStatus = v[0] > 8 || (v[0] == 8 && (v[1] > 0 || v[2] >= 22));
        return replicaStatus ? MYSQL : MYSQL_57;
    }

    /** The dialect of the server behind {@code c}, from its metadata (no round trip with either driver). */
    static ServerDialect of(Connection c) throws SQLException {
        return of(c.getMetaData().getDatabaseProductVersion());
    }

    /**
     * Whether the server behind {@code c} gives every transaction a GTID: always on MariaDB; on MySQL
     * only with {@code gtid_mode=ON} (a server of binary-log file/position replication has
     * {@code OFF}; the permissive modes let transactions without one through). One round trip on
     * MySQL; false when the server knows no {@code gtid_mode} (MySQL before 5.6).
     */
    boolean writesGtids(Connection c) throws SQLException {
        if (this == MARIADB) {
            return true;
        }
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT @@GLOBAL.gtid_mode")) {
            return rs.next() && "ON".equalsIgnoreCase(rs.getString(1));
        } catch (SQLException e) {
            if (e.getErrorCode() == 1193) {
                return false; // no such variable: a MySQL before 5.6, or a server that only looks like MySQL
            }
            throw e;
        }
    }

    /** Whether a wait's answer means the position was applied: 0 on both servers (-1 or 1 on a timeout, NULL on an error). */
    static boolean applied(int answer, boolean wasNull) {
        return answer == 0 && !wasNull;
    }

    /**
     * The timeout to pass to a wait, in seconds: MySQL takes 0 as "wait forever", so a wait is never
     * shorter than a millisecond.
     */
    static double waitSeconds(long nanos) {
        return Math.max(0.001, nanos / 1e9);
    }

    private static int[] numbers(String version) {
        int[] v = new int[3];
        int part = 0;
        for (int i = 0; i < version.length() && part < 3; i++) {
            char c = version.charAt(i);
            if (c >= '0' && c <= '9') {
                v[part] = Math.min(v[part] * 10 + (c - '0'), 100_000);
            } else if (c == '.') {
                part++;
            } else {
                break;
            }
        }
        return v;
    }

    /**
     * What this server says about its role (issue 16: roles come from the servers): its server id,
     * whether it takes writes, and the server id of the source it replicates from (0 when it
     * replicates from nothing: no replication configured, or reset). Two round trips on {@code c}.
     *
     * @throws SQLException if the server does not answer
     */
    io.lagwise.core.MasterElection.Evidence role(Connection c) throws SQLException {
        long serverId;
        boolean writable;
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(roleQuery)) {
            rs.next();
            serverId = rs.getLong(1);
            writable = !rs.getBoolean(2);
        }
        long source = 0;
        try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(replicaStatus)) {
            if (rs.next()) {
                source = rs.getLong(sourceServerIdColumn);
            }
        }
        return new io.lagwise.core.MasterElection.Evidence(true, writable, serverId, source);
    }
}
