package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreferLocalSelectorTest {

    static final class Fake implements ReplicaView {
        final String region;
        final boolean backup;
        boolean usable = true;
        int inFlight;
        long rtt;

        Fake(String region, boolean backup) {
            this.region = region;
            this.backup = backup;
        }

        @Override
        public String region() {
            return region;
        }

        @Override
        public boolean backup() {
            return backup;
        }

        @Override
        public boolean usable() {
            return usable;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }

        @Override
        public long roundTripNanos() {
            return rtt;
        }
    }

    private final ReplicaSelector selector = ReplicaSelector.preferLocal();

    @Test
    void localRegion_winsOverRemote() {
        Fake fra = new Fake("frankfurt", false);
        Fake oslo = new Fake("oslo", false);
        List<Fake> replicas = List.of(fra, oslo);
        for (int i = 0; i < 10; i++) {
            assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(1);
        }
    }

    @Test
    void preferenceOrder_isLocal_localBackup_remote_remoteBackup() {
        Fake remoteBackup = new Fake("frankfurt", true);
        Fake remote = new Fake("frankfurt", false);
        Fake localBackup = new Fake("oslo", true);
        Fake local = new Fake("oslo", false);
        List<Fake> replicas = List.of(remoteBackup, remote, localBackup, local);
        assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(3);
        local.usable = false;
        assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(2);
        localBackup.usable = false;
        assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(1);
        remote.usable = false;
        assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(0);
        remoteBackup.usable = false;
        assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(-1);
    }

    @Test
    void excludedReplica_isNeverChosen() {
        List<Fake> replicas = List.of(new Fake("oslo", false), new Fake("oslo", false));
        for (int i = 0; i < 10; i++) {
            assertThat(selector.select(replicas, "oslo", 0)).isEqualTo(1);
        }
        assertThat(selector.select(List.of(new Fake("oslo", false)), "oslo", 0)).isEqualTo(-1);
    }

    @Test
    void equalReplicas_shareTheLoad_andTheLeastBusyWins() {
        Fake a = new Fake("oslo", false);
        Fake b = new Fake("oslo", false);
        List<Fake> replicas = List.of(a, b);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(selector.select(replicas, "oslo", -1), 1, Integer::sum);
        }
        assertThat(counts).containsEntry(0, 50).containsEntry(1, 50);
        a.inFlight = 3;
        for (int i = 0; i < 10; i++) {
            assertThat(selector.select(replicas, "oslo", -1)).isEqualTo(1);
        }
    }

    @Test
    void noLocalRegion_treatsEveryReplicaAsLocal() {
        Fake fra = new Fake("frankfurt", false);
        Fake osloBackup = new Fake("oslo", true);
        assertThat(selector.select(List.of(osloBackup, fra), null, -1)).isEqualTo(1);
    }

    @Test
    void nearestByRoundTrip_winsWithinATier_andTheWindowMakesNearOnesEqual() {
        Fake near = new Fake("oslo", false);
        near.rtt = 200_000;
        Fake alsoNear = new Fake("oslo", false);
        alsoNear.rtt = 3_000_000;
        Fake far = new Fake("oslo", false);
        far.rtt = 40_000_000;
        List<Fake> replicas = List.of(far, alsoNear, near);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(selector.select(replicas, "oslo", -1), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey(0).containsKeys(1, 2);
        ReplicaSelector strict = ReplicaSelector.preferLocal(java.time.Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            assertThat(strict.select(replicas, "oslo", -1)).isEqualTo(2);
        }
        near.inFlight = 5;
        assertThat(selector.select(replicas, "oslo", -1)).as("the busy near one yields to its equal").isEqualTo(1);
    }

    @Test
    void negativeWindow_isRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplicaSelector.preferLocal(java.time.Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("latencyWindow cannot be negative: PT-0.001S");
    }
}
