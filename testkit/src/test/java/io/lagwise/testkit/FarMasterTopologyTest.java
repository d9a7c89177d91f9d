package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An application far from the master ({@code masterClientDelayMillis}): the master is reached through
 * a delay proxy, its own region's replica directly, and replication itself does not pass the client
 * proxy.
 */
@WithReplicationTopology(masterClientDelayMillis = 15, replicas = {@Replica(region = "frankfurt")})
class FarMasterTopologyTest {

    @Test
    void theMasterIsBehindItsClientProxy_theReplicaIsNot(ReplicationTopology topology) throws SQLException {
        TopologyNode master = topology.master();
        assertThat(master.hasClientProxy()).isTrue();
        assertThat(master.port()).isNotEqualTo(master.directPort());
        assertThat(master.clientDelay()).isEqualTo(Duration.ofMillis(15));
        assertThat(topology.node("frankfurt").hasClientProxy()).isFalse();
        try (Connection c = master.connect(); Statement s = c.createStatement()) {
            long begin = System.nanoTime();
            try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("a round trip through 15 ms each way")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(29));
        }
    }

    @Test
    void replicationDoesNotPassTheClientProxy(ReplicationTopology topology) throws SQLException {
        try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS far_bed (id BIGINT PRIMARY KEY)");
            s.execute("REPLACE INTO far_bed VALUES (1)");
        }
        topology.awaitReplication(Duration.ofSeconds(10));
        try (Connection c = topology.node("frankfurt").connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM far_bed")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        topology.master().clientDelay(Duration.ZERO); // settable, and reset() restores it for the next test
        assertThat(topology.master().clientDelay()).isZero();
    }

    @Test
    void aNegativeDelay_isRefusedAtTheBuilder() {
        assertThatThrownBy(() -> ReplicationTopology.builder().masterClientDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("masterClientDelay");
    }
}
