package io.lagwise.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Everything a topology is built from; a value, so equal specs can share one topology. */
record TopologySpec(
        TopologyBackend backend,
        boolean gtids,
        List<ReplicaSpec> replicas,
        Duration replicationDelay,
        String database,
        String username,
        String password,
        ServerBinaries binaries,
        MysqlBinaries mysqlBinaries,
        String containerImage,
        Path baseDirectory,
        int masterPort,
        Duration startTimeout,
        Duration masterClientDelay) {

    /** One replica: its unique name, region, and client proxy delay (null: no client proxy). */
    record ReplicaSpec(String name, String region, Duration clientDelay) {}

    @Override
    public String toString() {
        // No password here: specs end up in logs and test names.
        return "TopologySpec[backend=" + backend + ", gtids=" + gtids + ", replicas=" + replicas + ", replicationDelay="
                + replicationDelay + (masterClientDelay != null ? ", masterClientDelay=" + masterClientDelay : "") + ", database=" + database + ", username=" + username + "]";
    }
}
