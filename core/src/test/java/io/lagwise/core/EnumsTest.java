package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnumsTest {

    @Test
    void nodeRole_hasMasterAndReplicaOnly() {
        assertThat(NodeRole.values()).containsExactly(NodeRole.MASTER, NodeRole.REPLICA);
    }

    @Test
    void lagSource_listsTheFourSourcesInDesignOrder() {
        assertThat(LagSource.values()).containsExactly(
                LagSource.SECONDS_BEHIND_MASTER,
                LagSource.HEARTBEAT,
                LagSource.GTID_POSITION,
                LagSource.GTID_TIMELINE);
    }

    @Test
    void lagSource_namesAreStableForConfiguration() {
        assertThat(LagSource.valueOf("GTID_TIMELINE")).isSameAs(LagSource.GTID_TIMELINE);
        assertThat(NodeRole.valueOf("REPLICA")).isSameAs(NodeRole.REPLICA);
    }
}
