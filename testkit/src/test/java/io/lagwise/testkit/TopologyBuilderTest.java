package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input fails at the setter, with a message that names the setting and the value. */
class TopologyBuilderTest {

    @Test
    void replicaNames_followRegions_andAreMadeUnique() {
        TopologySpec spec = ReplicationTopology.builder().replica("oslo").replica("oslo").replica("frankfurt",
                Duration.ofMillis(20)).spec();
        assertThat(spec.replicas()).extracting(TopologySpec.ReplicaSpec::name).containsExactly("oslo", "oslo-2", "frankfurt");
        assertThat(spec.replicas().get(2).clientDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(spec.replicas().get(0).clientDelay()).isNull();
    }

    @Test
    void replicas_countAddsLocalReplicas() {
        assertThat(ReplicationTopology.builder().replicas(3).spec().replicas())
                .extracting(TopologySpec.ReplicaSpec::name).containsExactly("local", "local-2", "local-3");
    }

    @Test
    void badRegion_isRejected() {
        assertThatThrownBy(() -> ReplicationTopology.builder().replica("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replica region must be a plain name").hasMessageContaining("''");
        assertThatThrownBy(() -> ReplicationTopology.builder().replica("os lo"))
                .hasMessageContaining("'os lo'");
        assertThatThrownBy(() -> ReplicationTopology.builder().replica(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeDelays_areRejected() {
        assertThatThrownBy(() -> ReplicationTopology.builder().replicationDelay(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicationDelay cannot be negative or null: PT-0.005S");
        assertThatThrownBy(() -> ReplicationTopology.builder().replica("oslo", Duration.ofMillis(-1)))
                .hasMessageContaining("clientDelay cannot be negative");
        assertThatThrownBy(() -> ReplicationTopology.builder().replicas(-1)).hasMessage("replica count cannot be negative: -1");
    }

    @Test
    void badNamesPortsAndTimeouts_areRejected() {
        assertThatThrownBy(() -> ReplicationTopology.builder().database("app; DROP")).hasMessageContaining("database must be a plain SQL name");
        assertThatThrownBy(() -> ReplicationTopology.builder().masterPort(70000)).hasMessage("masterPort must be 1-65535: 70000");
        assertThatThrownBy(() -> ReplicationTopology.builder().startTimeout(Duration.ZERO)).hasMessage("startTimeout must be positive: PT0S");
        assertThatThrownBy(() -> ReplicationTopology.builder().baseDirectory(Path.of("/no/such/dir")))
                .hasMessage("baseDirectory must be an existing directory: /no/such/dir");
    }

    @Test
    void gtids_areOnByDefault_andOffGoesIntoTheSpec() {
        assertThat(ReplicationTopology.builder().spec().gtids()).isTrue();
        TopologySpec spec = ReplicationTopology.builder().backend(TopologyBackend.MYSQL_PROCESSES).gtids(false).spec();
        assertThat(spec.gtids()).isFalse();
        assertThat(spec.toString()).contains("backend=MYSQL_PROCESSES, gtids=false");
    }

    @Test
    void gtidsOff_onMariadb_failsAtStart_beforeAnythingIsMade(@TempDir Path base) throws IOException {
        assertThatThrownBy(() -> ReplicationTopology.builder().gtids(false).baseDirectory(base).start())
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("gtids(false) cannot be combined with LOCAL_PROCESSES: MariaDB always writes GTIDs");
        try (var files = Files.list(base)) {
            assertThat(files).as("no directory made, no server started").isEmpty();
        }
    }

    @Test
    void badPassword_isRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> ReplicationTopology.builder().credentials("app", "it's-secret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("it's-secret")
                .hasMessageContaining("password must be");
    }

    @Test
    void spec_toStringHidesThePassword() {
        TopologySpec spec = ReplicationTopology.builder().credentials("app", "s3cret-pw").replica("oslo").spec();
        assertThat(spec.password()).isEqualTo("s3cret-pw");
        assertThat(spec.toString()).doesNotContain("s3cret-pw").contains("username=app");
    }

    @Test
    void defaultPassword_isRandomPerTopology() {
        assertThat(ReplicationTopology.builder().spec().password())
                .isNotEqualTo(ReplicationTopology.builder().spec().password()).startsWith("lw-").hasSize(23);
    }
}
