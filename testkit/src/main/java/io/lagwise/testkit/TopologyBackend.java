package io.lagwise.testkit;

/** Where a topology's servers run. */
public enum TopologyBackend {
    /**
     * Local {@code mariadbd} processes started from scratch in a temporary directory: no Docker,
     * starts in about two seconds. The default.
     */
    LOCAL_PROCESSES,
    /** MariaDB containers through Testcontainers; needs a Docker engine. */
    MARIADB_CONTAINERS,
    /** MySQL 8 containers through Testcontainers; needs a Docker engine. */
    MYSQL_CONTAINERS
}
