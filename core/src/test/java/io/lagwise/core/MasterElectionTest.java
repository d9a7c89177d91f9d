package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.core.MasterElection.Evidence;
import io.lagwise.core.MasterElection.Outcome;
import io.lagwise.core.MasterElection.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who is master, case by case: the topologies operators and failover tools leave behind. Nodes are
 * indexed 0 (the configured master, server id 1), 1 and 2 (replicas, server ids 2 and 3).
 */
class MasterElectionTest {

    static Evidence writable(long id) {
        return new Evidence(true, true, id, 0);
    }

    static Evidence readOnlyReplicaOf(long id, long source) {
        return new Evidence(true, false, id, source);
    }

    static Outcome decide(int current, Evidence... nodes) {
        return MasterElection.decide(current, List.of(nodes));
    }

    @Test
    void theUsualTopology_keepsTheConfiguredMaster() {
        Outcome o = decide(0, writable(1), readOnlyReplicaOf(2, 1), readOnlyReplicaOf(3, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(o.master()).isZero();
        assertThat(o.qualified()).containsExactly(0);
    }

    @Test
    void aPromotion_asOrchestratorDoesIt_isFollowed() {
        // master killed; replica 2 reset and made writable; replica 1 re-pointed at it
        Outcome o = decide(0, Evidence.silent(1), readOnlyReplicaOf(2, 3), writable(3));
        assertThat(o.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(o.master()).isEqualTo(2);
    }

    @Test
    void aPromotion_beforeTheOthersAreRePointed_isFollowedToo() {
        // replica 1 still points at the dead master (its IO thread retrying)
        Outcome o = decide(0, Evidence.silent(1), readOnlyReplicaOf(2, 1), writable(3));
        assertThat(o.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(o.master()).isEqualTo(2);
    }

    @Test
    void theOldMasterBackWritable_withoutFollowers_losesToThePromotedOne() {
        Outcome o = decide(2, writable(1), readOnlyReplicaOf(2, 3), writable(3));
        assertThat(o.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(o.master()).isEqualTo(2);
        assertThat(o.qualified()).containsExactly(0, 2);
        // the same seen from a data source that still takes the old master as current
        Outcome fromOld = decide(0, writable(1), readOnlyReplicaOf(2, 3), writable(3));
        assertThat(fromOld.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(fromOld.master()).isEqualTo(2);
    }

    @Test
    void twoWritableNodes_thatNothingSettles_areASplitBrain() {
        // two nodes, the replica promoted, the old master back writable: nobody follows either
        Outcome o = decide(1, writable(1), writable(2));
        assertThat(o.verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
        assertThat(o.master()).isEqualTo(-1);
        assertThat(o.qualified()).containsExactly(0, 1);
        // one follower each: a tie, still refused
        Outcome tie = decide(0, writable(1), readOnlyReplicaOf(2, 1), writable(3), readOnlyReplicaOf(4, 3));
        assertThat(tie.verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
    }

    @Test
    void aReadOnlyMaster_isNeverTheMaster() {
        Outcome o = decide(0, readOnlyReplicaOf(1, 0), readOnlyReplicaOf(2, 1), readOnlyReplicaOf(3, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.NONE);
        assertThat(o.master()).isEqualTo(-1);
        assertThat(o.qualified()).isEmpty();
    }

    @Test
    void theMasterDown_andNoOneWritable_isNoMaster() {
        Outcome o = decide(0, Evidence.silent(1), readOnlyReplicaOf(2, 1), readOnlyReplicaOf(3, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.NONE);
    }

    @Test
    void aReplicaLeftWritable_doesNotBecomeTheMaster_whenItsMasterGoesDown() {
        Outcome o = decide(0, Evidence.silent(1), new Evidence(true, true, 2, 1), readOnlyReplicaOf(3, 1));
        assertThat(o.verdict()).as("it still replicates from node 0: not a master").isEqualTo(Verdict.NONE);
        Outcome up = decide(0, writable(1), new Evidence(true, true, 2, 1), readOnlyReplicaOf(3, 1));
        assertThat(up.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(up.qualified()).containsExactly(0);
    }

    @Test
    void aMasterThatReplicatesFromOutsideTheCluster_stillQualifies() {
        // an upstream (another data centre) the configuration does not name
        Outcome o = decide(0, new Evidence(true, true, 1, 99), readOnlyReplicaOf(2, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.KEEP);
    }

    @Test
    void rolesThatFlipBack_areFollowedBack() {
        Outcome there = decide(0, readOnlyReplicaOf(1, 3), readOnlyReplicaOf(2, 3), writable(3));
        assertThat(there.master()).isEqualTo(2);
        Outcome back = decide(2, writable(1), readOnlyReplicaOf(2, 1), readOnlyReplicaOf(3, 1));
        assertThat(back.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(back.master()).isZero();
    }

    @Test
    void followersThatDidNotAnswer_doNotCount() {
        Outcome o = decide(0, writable(1), new Evidence(false, false, 2, 3), writable(3));
        assertThat(o.verdict()).as("the only follower of node 2 is silent: nothing settles it").isEqualTo(Verdict.SPLIT_BRAIN);
    }

    @Test
    void activePassiveMasterMaster_theWritableOneIsTheMaster() {
        // the master replicates from its read-only standby, which replicates from it (a common HA pair)
        Outcome o = decide(0, new Evidence(true, true, 1, 2), readOnlyReplicaOf(2, 1), readOnlyReplicaOf(3, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.KEEP);
        // both writable and replicating from each other: the current one stays the master
        Outcome both = decide(0, new Evidence(true, true, 1, 2), new Evidence(true, true, 2, 1));
        assertThat(both.verdict()).isEqualTo(Verdict.KEEP);
        // the switch done right: the old master read-only, the standby writable
        Outcome switched = decide(0, new Evidence(true, false, 1, 2), new Evidence(true, true, 2, 1), readOnlyReplicaOf(3, 2));
        assertThat(switched.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(switched.master()).isEqualTo(1);
    }

    @Test
    void theCurrentMaster_keepsItsPlace_whenItsOwnSourceIsDownReadOnlyUnknownOrOutside() {
        // active/passive, the passive standby down (its last id known) or the link reconnecting
        assertThat(decide(0, new Evidence(true, true, 1, 2), Evidence.silent(2)).verdict()).isEqualTo(Verdict.KEEP);
        assertThat(decide(0, new Evidence(true, true, 1, MasterElection.UNKNOWN_SOURCE), Evidence.silent(2)).verdict())
                .isEqualTo(Verdict.KEEP);
        // both writable and replicating from each other (MariaDB's default read_only=OFF on the standby)
        Outcome pair = decide(0, new Evidence(true, true, 1, 2), new Evidence(true, true, 2, 1));
        assertThat(pair.verdict()).isEqualTo(Verdict.KEEP);
        // chained: the master replicates from an upstream outside the cluster, a replica never answered
        assertThat(decide(0, new Evidence(true, true, 1, 99), readOnlyReplicaOf(2, 1), Evidence.silent(0)).verdict())
                .isEqualTo(Verdict.KEEP);
        // but a master re-pointed at another writable master is a replica left writable: that one is the master
        Outcome repointed = decide(0, new Evidence(true, true, 1, 2), writable(2), readOnlyReplicaOf(3, 2));
        assertThat(repointed.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(repointed.master()).isEqualTo(1);
    }

    @Test
    void aServerReachedTwice_countsOnceAsAFollower() {
        // replica 2 configured twice (direct and through a proxy): one follower, not two
        Outcome o = decide(0, writable(1), readOnlyReplicaOf(2, 1), readOnlyReplicaOf(2, 1), writable(4), readOnlyReplicaOf(5, 4));
        assertThat(o.verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
    }

    @Test
    void aWritableReplica_ofANodeNeverHeard_orOfASourceNotIdentifiedYet_neverQualifies() {
        // degraded start: the master never answered (server id unknown); its replica, writable, follows id 1
        assertThat(decide(0, Evidence.silent(0), new Evidence(true, true, 2, 1)).verdict()).isEqualTo(Verdict.NONE);
        // a replica restarted while its master is down: its IO thread has not learned the source's id
        assertThat(decide(0, Evidence.silent(1), new Evidence(true, true, 2, MasterElection.UNKNOWN_SOURCE)).verdict())
                .isEqualTo(Verdict.NONE);
        // once every node has answered, a source outside the cluster is just that
        assertThat(decide(0, writable(1), new Evidence(true, true, 2, 9)).verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
        // a writable replica whose replication was stopped (STOP SLAVE) still names its source: no master
        assertThat(decide(0, writable(1), new Evidence(true, true, 2, 1)).verdict()).isEqualTo(Verdict.KEEP);
    }

    @Test
    void oneServerAtTwoAddresses_isOneMaster_notASplitBrain() {
        // the master configured again as a "replica" through a proxy or another host name: same server id
        Outcome o = decide(0, writable(1), writable(1), readOnlyReplicaOf(3, 1));
        assertThat(o.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(o.master()).isZero();
        Outcome notCurrent = decide(2, writable(1), writable(1), readOnlyReplicaOf(3, 1));
        assertThat(notCurrent.verdict()).isEqualTo(Verdict.FOLLOW);
        assertThat(notCurrent.master()).isZero();
        // a server id of 0 (never answered) proves nothing
        assertThat(decide(0, new Evidence(true, true, 0, 0), new Evidence(true, true, 0, 0)).verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
    }

    @Test
    void everyCombinationOfThreeNodes_obeysTheRules() {
        // Exhaustive over answered × writable × source ∈ {none, 1, 2, 3} per node, each current master.
        List<Evidence> kinds = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            kinds.add(Evidence.silent(id));
            for (boolean writable : new boolean[] {false, true}) {
                for (long source = 0; source <= 3; source++) {
                    if (source != id) {
                        kinds.add(new Evidence(true, writable, id, source));
                    }
                }
            }
        }
        int cases = 0;
        for (Evidence a : kinds) {
            if (a.serverId() != 1) {
                continue;
            }
            for (Evidence b : kinds) {
                if (b.serverId() != 2) {
                    continue;
                }
                for (Evidence c : kinds) {
                    if (c.serverId() != 3) {
                        continue;
                    }
                    List<Evidence> nodes = List.of(a, b, c);
                    for (int current = 0; current < 3; current++) {
                        Outcome o = MasterElection.decide(current, nodes);
                        cases++;
                        if (o.master() >= 0) {
                            Evidence m = nodes.get(o.master());
                            assertThat(m.answered() && m.writable()).as("%s: a master answers and is writable", nodes).isTrue();
                            assertThat(o.verdict()).isEqualTo(o.master() == current ? Verdict.KEEP : Verdict.FOLLOW);
                        } else {
                            assertThat(o.verdict()).isIn(Verdict.NONE, Verdict.SPLIT_BRAIN);
                        }
                        if (o.verdict() == Verdict.SPLIT_BRAIN) {
                            assertThat(o.qualified()).as("%s", nodes).hasSizeGreaterThan(1);
                        }
                        if (o.verdict() == Verdict.NONE) {
                            assertThat(o.qualified()).isEmpty();
                        }
                        for (int q : o.qualified()) {
                            Evidence e = nodes.get(q);
                            assertThat(e.answered() && e.writable()).isTrue();
                            if (q == current) {
                                // the current master keeps its place unless it follows another writable, answering node
                                assertThat(nodes.stream().noneMatch(n -> n != e && n.serverId() == e.sourceServerId() && n.answered()
                                        && n.writable() && n.sourceServerId() != e.serverId()))
                                        .as("%s: the current master follows no writable node", nodes).isTrue();
                                continue;
                            }
                            assertThat(e.sourceServerId() == 0 || nodes.stream().noneMatch(n -> n.serverId() == e.sourceServerId())
                                    || nodes.stream().anyMatch(n -> n.serverId() == e.sourceServerId() && n.answered() && !n.writable()
                                            && n.sourceServerId() == e.serverId()))
                                    .as("%s: a qualified node follows no configured node but its own read-only standby", nodes).isTrue();
                        }
                    }
                }
            }
        }
        assertThat(cases).isEqualTo(3 * 7 * 7 * 7);
    }

    @Test
    void badInput_isRefused() {
        assertThatThrownBy(() -> MasterElection.decide(3, List.of(writable(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("current master 3 is not one of 1 nodes");
        assertThatThrownBy(() -> MasterElection.decide(0, null)).isInstanceOf(NullPointerException.class);
    }
}
