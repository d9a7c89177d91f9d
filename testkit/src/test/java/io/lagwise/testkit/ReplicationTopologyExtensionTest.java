package io.lagwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The extension, run through the JUnit engine itself: topologies are shared between classes that
 * declare the same one, closed when the run ends, reset between tests, and container tests skip
 * with a reason where Docker is missing.
 */
class ReplicationTopologyExtensionTest {

    static final List<ReplicationTopology> SEEN = new CopyOnWriteArrayList<>();

    @Test
    void sameDeclaration_sharesOneTopology_acrossClasses_andClosesItAtTheEnd() {
        SEEN.clear();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SharedA.class), selectClass(SharedB.class), selectClass(Private.class))
                .execute();
        results.testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));
        assertThat(SEEN).hasSize(4);
        assertThat(SEEN.get(0)).as("SharedA's two tests get one topology").isSameAs(SEEN.get(1));
        assertThat(SEEN.get(2)).as("SharedB declares the same topology and shares it").isSameAs(SEEN.get(0));
        assertThat(SEEN.get(3)).as("shared = false gets servers of its own").isNotSameAs(SEEN.get(0));
        for (ReplicationTopology t : SEEN) {
            assertThat(t.master().pid()).as("closed when the run ended").isEmpty();
        }
    }

    @Test
    void reset_betweenTests_undoesWhatTheEarlierTestBroke() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(BreaksThenChecks.class)).execute();
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    @Test
    void containerBackend_withoutDocker_isSkippedWithTheReason() {
        String reason = ContainerSupport.unavailableReason();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(NeedsDocker.class)).execute();
        if (reason == null) {
            results.containerEvents().assertStatistics(stats -> stats.skipped(0));
        } else {
            List<Event> skipped = results.containerEvents().skipped().list();
            assertThat(skipped).hasSize(1);
            assertThat(skipped.get(0).getPayload(String.class).orElseThrow())
                    .contains("MARIADB_CONTAINERS needs Docker").contains(reason);
        }
    }

    @Test
    void declarationsThatDifferOnlyInGtids_getDifferentTopologies() {
        ReplicationTopologyExtension.Key with = ReplicationTopologyExtension.Key.of(
                MysqlWithGtids.class.getAnnotation(WithReplicationTopology.class));
        ReplicationTopologyExtension.Key without = ReplicationTopologyExtension.Key.of(
                MysqlWithoutGtids.class.getAnnotation(WithReplicationTopology.class));
        assertThat(with.gtids()).isTrue();
        assertThat(without.gtids()).isFalse();
        assertThat(without).isNotEqualTo(with);
        assertThat(without).isEqualTo(ReplicationTopologyExtension.Key.of(
                MysqlWithoutGtids.class.getAnnotation(WithReplicationTopology.class)));
    }

    /** Declarations only: no tests, nothing starts. */
    @WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES)
    static class MysqlWithGtids {}

    @WithReplicationTopology(backend = TopologyBackend.MYSQL_PROCESSES, gtids = false)
    static class MysqlWithoutGtids {}

    @WithReplicationTopology(replicas = @Replica(region = "x1"))
    static class SharedA {
        @Test
        void one(ReplicationTopology t) {
            SEEN.add(t);
        }

        @Test
        void two(ReplicationTopology t) {
            SEEN.add(t);
        }
    }

    @WithReplicationTopology(replicas = @Replica(region = "x1"))
    static class SharedB {
        @Test
        void three(ReplicationTopology t) {
            SEEN.add(t);
        }
    }

    @WithReplicationTopology(replicas = @Replica(region = "x1"), shared = false)
    static class Private {
        @Test
        void four(ReplicationTopology t) {
            SEEN.add(t);
        }
    }

    @WithReplicationTopology(replicas = {@Replica(region = "x1"), @Replica(region = "x2", clientDelayMillis = 0)},
            replicationDelayMillis = 5, shared = false)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class BreaksThenChecks {
        @BeforeAll
        static void injected(ReplicationTopology t) {
            assertThat(t.replicas()).hasSize(2);
        }

        @Test
        @Order(1)
        void breaksEverything(ReplicationTopology t) {
            t.node("x1").kill();
            t.node("x2").freeze();
            t.node("x2").clientDelay(java.time.Duration.ofMillis(30));
        }

        @Test
        @Order(2)
        void findsItWhole(ReplicationTopology t) {
            assertThat(t.nodes()).allSatisfy(n -> assertThat(n.state()).isEqualTo(TopologyNode.State.RUNNING));
            assertThat(t.node("x1").replicaStatus().replicating()).isTrue();
            assertThat(t.node("x2").clientDelay()).isZero();
            assertThat(t.node("x1").replicationDelay()).hasMillis(5);
        }
    }

    @WithReplicationTopology(backend = TopologyBackend.MARIADB_CONTAINERS)
    static class NeedsDocker {
        @Test
        void neverRunsWithoutDocker(ReplicationTopology t) {
            assertThat(t).isNotNull();
        }
    }
}
