package io.lagwise.testkit;

import java.util.OptionalLong;

/**
 * What a replica says of its own replication ({@code SHOW SLAVE STATUS} on MariaDB,
 * {@code SHOW REPLICA STATUS} on MySQL), read at one moment.
 *
 * @param secondsBehindMaster {@code Seconds_Behind_Master}; empty when the server reports NULL
 *     (replication stopped or broken)
 * @param ioRunning whether the IO (receiver) thread runs
 * @param sqlRunning whether the SQL (applier) thread runs
 * @param lastIoError the last IO thread error, empty if none
 * @param lastSqlError the last SQL thread error, empty if none
 */
public record ReplicaStatus(OptionalLong secondsBehindMaster, boolean ioRunning, boolean sqlRunning,
        String lastIoError, String lastSqlError) {

    /** Whether both replication threads run. */
    public boolean replicating() {
        return ioRunning && sqlRunning;
    }
}
