package io.lagwise.testkit;

/** The SQL that differs between MariaDB and MySQL servers, for the few things the testkit does. */
enum Dialect {
    MARIADB("SHOW SLAVE STATUS", "Seconds_Behind_Master", "Slave_IO_Running", "Slave_SQL_Running", "SLAVE",
            "SELECT @@gtid_binlog_pos", "SELECT @@gtid_slave_pos", "SELECT MASTER_GTID_WAIT(?, ?)",
            "Relay_Master_Log_File", "Exec_Master_Log_Pos", "SELECT MASTER_POS_WAIT(?, ?, ?)"),
    MYSQL("SHOW REPLICA STATUS", "Seconds_Behind_Source", "Replica_IO_Running", "Replica_SQL_Running", "REPLICA",
            "SELECT @@gtid_executed", "SELECT @@gtid_executed", "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)",
            "Relay_Source_Log_File", "Exec_Source_Log_Pos", "SELECT SOURCE_POS_WAIT(?, ?, ?)");

    final String showReplicaStatus;
    final String secondsBehindColumn;
    final String ioRunningColumn;
    final String sqlRunningColumn;
    final String replicaKeyword;
    final String masterPosition;
    final String replicaPosition;
    /** Waits until the position is applied; returns 0 when it is, non-zero on timeout. */
    final String waitForPosition;
    /** The master's binary log file whose events the replica's SQL thread applied last ({@code SHOW … STATUS}). */
    final String executedFileColumn;
    /** How far into that file the SQL thread has applied: the end of its last applied event. */
    final String executedOffsetColumn;
    /**
     * Waits until the replica has applied the master's binary log up to a file and offset; returns
     * the number of events waited for (0 or more), -1 on timeout, NULL when the SQL thread is not
     * running. The file-and-position counterpart of {@link #waitForPosition}, for servers without GTIDs.
     */
    final String waitForCoordinates;

    Dialect(String showReplicaStatus, String secondsBehindColumn, String ioRunningColumn, String sqlRunningColumn,
            String replicaKeyword, String masterPosition, String replicaPosition, String waitForPosition,
            String executedFileColumn, String executedOffsetColumn, String waitForCoordinates) {
        this.showReplicaStatus = showReplicaStatus;
        this.secondsBehindColumn = secondsBehindColumn;
        this.ioRunningColumn = ioRunningColumn;
        this.sqlRunningColumn = sqlRunningColumn;
        this.replicaKeyword = replicaKeyword;
        this.masterPosition = masterPosition;
        this.replicaPosition = replicaPosition;
        this.waitForPosition = waitForPosition;
        this.executedFileColumn = executedFileColumn;
        this.executedOffsetColumn = executedOffsetColumn;
        this.waitForCoordinates = waitForCoordinates;
    }

    String stopSqlThread() {
        return "STOP " + replicaKeyword + " SQL_THREAD";
    }

    String startSqlThread() {
        return "START " + replicaKeyword + " SQL_THREAD";
    }

    String stopIoThread() {
        return "STOP " + replicaKeyword + " IO_THREAD";
    }

    String startIoThread() {
        return "START " + replicaKeyword + " IO_THREAD";
    }

    String startReplication() {
        return "START " + replicaKeyword;
    }

    /**
     * What Orchestrator and MHA run on the replica they promote: replication stopped and forgotten,
     * writes allowed.
     */
    java.util.List<String> promote() {
        return this == MARIADB
                ? java.util.List.of("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = OFF")
                : java.util.List.of("STOP REPLICA", "RESET REPLICA ALL", "SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF");
    }

    /** Re-points a replica whose source address now leads to another server, by GTID. */
    java.util.List<String> repoint() {
        return this == MARIADB
                ? java.util.List.of("STOP SLAVE", "CHANGE MASTER TO MASTER_USE_GTID = slave_pos", "START SLAVE")
                : java.util.List.of("STOP REPLICA", "CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION = 1", "START REPLICA");
    }
}
