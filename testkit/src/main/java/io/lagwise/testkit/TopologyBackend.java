package io.lagwise.testkit;

/** Where a topology's servers run. */
public enum TopologyBackend {
    /**
     * Local {@code mariadbd} processes started from scratch in a temporary directory: no Docker,
     * starts in about two seconds. The default.
     */
    LOCAL_PROCESSES,
    /**
     * Local Oracle MySQL {@code mysqld} processes started from scratch in a temporary directory:
     * no Docker. The binary comes from {@link MysqlBinaries#locate()}: a configured directory,
     * {@code mysqld} on the PATH if it is MySQL's, else MySQL 8.0.31 from Maven Central. GTID
     * replication by default; the one backend that also runs without GTIDs
     * ({@link TopologyBuilder#gtids(boolean)}).
     */
    MYSQL_PROCESSES,
    /** MariaDB containers through Testcontainers; needs a Docker engine. */
    MARIADB_CONTAINERS,
    /** MySQL 8 containers through Testcontainers; needs a Docker engine. */
    MYSQL_CONTAINERS
}
