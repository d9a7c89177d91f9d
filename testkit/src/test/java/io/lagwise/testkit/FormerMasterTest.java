package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What {@link ReplicationTopology#promote} leaves the old master as: a replica of nothing, with a clear error for replica controls. */
class FormerMasterTest {

    @Test
    void aFormerMaster_hasNoReplicationDelayToChange() {
        AbstractNode.Credentials creds = new AbstractNode.Credentials("app", "app", "pw", "root", "");
        LocalNode oldMaster = new LocalNode("master", TopologyNode.Role.MASTER, "master", 1, Dialect.MARIADB, true, creds,
                Path.of("/bin/false"), Path.of("/tmp"), Path.of("/tmp/none"), 0, Duration.ZERO, null);
        oldMaster.role = TopologyNode.Role.REPLICA; // as promote() leaves it
        assertThatThrownBy(() -> oldMaster.replicationDelay(Duration.ofMillis(5))).isInstanceOf(IllegalStateException.class)
                .hasMessage("replicationDelay applies to replicas built as such; master was the master, and replicates from nothing since a promote()");
    }
}
