package io.lagwise.testkit;

/** The SQL that differs between MariaDB and MySQL servers, for the few things the testkit does. */
enum Dialect {
    MARIADB("SHOW SLAVE STATUS", "Seconds_Behind_Master", "Slave_IO_Running", "Slave_SQL_Running", "SLAVE",
            "SELECT @@gtid_binlog_pos", "SELECT @@gtid_slave_pos", "SELECT MASTER_GTID_WAIT(?, ?)"),
    MYSQL("SHOW REPLICA STATUS", "Seconds_Behind_Source", "Replica_IO_Running", "Replica_SQL_Running", "REPLICA",
            "SELECT @@gtid_executed", "SELECT @@gtid_executed", "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)");

    final String showReplicaStatus;
    final String secondsBehindColumn;
    final String ioRunningColumn;
    final String sqlRunningColumn;
    final String replicaKeyword;
    final String masterPosition;
    final String replicaPosition;
    /** Waits until the position is applied; returns 0 when it is, non-zero on timeout. */
    final String waitForPosition;

    Dialect(String showReplicaStatus, String secondsBehindColumn, String ioRunningColumn, String sqlRunningColumn,
            String replicaKeyword, String masterPosition, String replicaPosition, String waitForPosition) {
        this.showReplicaStatus = showReplicaStatus;
        this.secondsBehindColumn = secondsBehindColumn;
        this.ioRunningColumn = ioRunningColumn;
        this.sqlRunningColumn = sqlRunningColumn;
        this.replicaKeyword = replicaKeyword;
        this.masterPosition = masterPosition;
        this.replicaPosition = replicaPosition;
        this.waitForPosition = waitForPosition;
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
}
