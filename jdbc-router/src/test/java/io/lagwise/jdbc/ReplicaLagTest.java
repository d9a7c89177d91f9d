package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.LagSource;
import org.junit.jupiter.api.Test;

/** Which figure the monitor takes as a replica's lag, case by case, with plain numbers. */
class ReplicaLagTest {

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    @Test
    void aFreshHeartbeat_winsWhenItIsTheLargerFineFigure() {
        assertThat(ReplicaLag.choose(41 * MS, 35 * MS, 0, false)).isEqualTo(new ReplicaLag(41 * MS, LagSource.HEARTBEAT));
        assertThat(ReplicaLag.choose(41 * MS, -1, 0, false)).isEqualTo(new ReplicaLag(41 * MS, LagSource.HEARTBEAT));
        assertThat(ReplicaLag.choose(20 * MS, 35 * MS, 0, false))
                .as("a heartbeat wait that timed out is a lower bound").isEqualTo(new ReplicaLag(35 * MS, LagSource.GTID_TIMELINE));
    }

    @Test
    void withoutAHeartbeat_theTimelineIsTheLag() {
        assertThat(ReplicaLag.choose(-1, 35 * MS, 0, false)).isEqualTo(new ReplicaLag(35 * MS, LagSource.GTID_TIMELINE));
        assertThat(ReplicaLag.choose(-1, 0, 0, true)).isEqualTo(new ReplicaLag(0, LagSource.GTID_TIMELINE));
    }

    @Test
    void withoutFineFigures_secondsBehindMasterIsTheLag_asTheServerSaysIt() {
        assertThat(ReplicaLag.choose(-1, -1, 3, false)).isEqualTo(new ReplicaLag(3 * S, LagSource.SECONDS_BEHIND_MASTER));
        assertThat(ReplicaLag.choose(-1, -1, 1, false)).isEqualTo(new ReplicaLag(S, LagSource.SECONDS_BEHIND_MASTER));
        assertThat(ReplicaLag.choose(-1, -1, -1, false)).as("NULL").isEqualTo(new ReplicaLag(0, LagSource.SECONDS_BEHIND_MASTER));
    }

    @Test
    void secondsBehindMaster_of1_isASecondBoundary_notALag() {
        // MySQL 8.0 at 40 ms of lag: 0 mostly, 1 when the commit and the apply fall in different seconds
        assertThat(ReplicaLag.choose(41 * MS, 35 * MS, 1, false)).isEqualTo(new ReplicaLag(41 * MS, LagSource.HEARTBEAT));
        assertThat(ReplicaLag.choose(-1, 35 * MS, 1, false)).isEqualTo(new ReplicaLag(35 * MS, LagSource.GTID_TIMELINE));
    }

    @Test
    void secondsBehindMaster_isAFloorOneSecondBelowWhatItSays() {
        assertThat(ReplicaLag.choose(-1, 35 * MS, 2, false))
                .as("2 means at least 1 s: the fine figure missed a slow SQL thread")
                .isEqualTo(new ReplicaLag(S, LagSource.SECONDS_BEHIND_MASTER));
        assertThat(ReplicaLag.choose(1500 * MS, 1400 * MS, 2, false))
                .as("a fine figure above the floor stands").isEqualTo(new ReplicaLag(1500 * MS, LagSource.HEARTBEAT));
        assertThat(ReplicaLag.choose(-1, 900 * MS, 30, false)).isEqualTo(new ReplicaLag(29 * S, LagSource.SECONDS_BEHIND_MASTER));
    }

    @Test
    void theLag_neverFallsAsTheFineFigureRises() {
        long previous = 0;
        for (long fine = 0; fine <= 3 * S; fine += 10 * MS) {
            long lag = ReplicaLag.choose(-1, fine, 2, false).nanos();
            assertThat(lag).as("fine figure %d ms", fine / MS).isGreaterThanOrEqualTo(previous).isGreaterThanOrEqualTo(fine);
            previous = lag;
        }
    }

    @Test
    void aCaughtUpReplica_isNotJudgedByAStaleSecondsBehindMaster() {
        assertThat(ReplicaLag.choose(-1, 0, 5, true)).isEqualTo(new ReplicaLag(0, LagSource.GTID_TIMELINE));
        assertThat(ReplicaLag.choose(-1, 0, 5, false)).as("behind the master it knows of")
                .isEqualTo(new ReplicaLag(4 * S, LagSource.SECONDS_BEHIND_MASTER));
    }
}
