package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Wait on the replica or read the master: the cost decision on plain numbers. */
class ReadCostTest {

    static final long MS = 1_000_000L;
    static final long US = 1_000L;
    static final long MAX_WAIT = 50 * MS;

    @Test
    void nextToTheMaster_aReadRightAfterAWrite_readsTheMaster() {
        // Oslo: master 0.3 ms away, replica 40 ms behind, the write 0.5 ms ago
        assertThat(ReadCost.masterCheaper(300 * US, 0, 8, 300 * US, 40 * MS, 500 * US, MAX_WAIT)).isTrue();
    }

    @Test
    void inTheBurstRegion_theLocalReplicaIsWaitedFor() {
        // Frankfurt: master 40 ms round trip, local replica 0.3 ms; seen from here the replica shows a
        // commit 20 ms after its reply came back, and the write's reply came back 1 ms ago
        assertThat(ReadCost.masterCheaper(40 * MS, 0, 8, 300 * US, 20 * MS, 1 * MS, MAX_WAIT)).isFalse();
        // ...and once the replica has had time, all the more
        assertThat(ReadCost.masterCheaper(40 * MS, 0, 8, 300 * US, 20 * MS, 15 * MS, MAX_WAIT)).isFalse();
    }

    @Test
    void aReplicaThatShouldHaveTheWriteByNow_keepsTheRead_evenWhenTheMasterIsAHairCloser() {
        // the write 2 s ago, replicas 40 ms behind: no time remains; the master 0.25 ms, the replica 0.4 ms
        assertThat(ReadCost.masterCheaper(250 * US, 0, 8, 400 * US, 40 * MS, 2_000 * MS, MAX_WAIT)).isFalse();
        // a little time remains, less than a round trip: still the replica
        assertThat(ReadCost.masterCheaper(250 * US, 0, 8, 400 * US, 40 * MS, 39_800 * US, MAX_WAIT)).isFalse();
        // more than a round trip remains: the master
        assertThat(ReadCost.masterCheaper(250 * US, 0, 8, 400 * US, 40 * MS, 39 * MS, MAX_WAIT)).isTrue();
    }

    @Test
    void aWaitThatWouldTimeOut_goesToTheMasterAtOnce() {
        assertThat(ReadCost.masterCheaper(40 * MS, 0, 8, 300 * US, 2_000 * MS, 1 * MS, MAX_WAIT))
                .as("the replica needs ~2 s: the read would end on the master after 50 ms anyway").isTrue();
    }

    @Test
    void aBusyMaster_costsMore_andAFullOneIsNeverCheaper() {
        assertThat(ReadCost.masterCheaper(1 * MS, 0, 8, 300 * US, 3 * MS, 0, MAX_WAIT)).isTrue();
        assertThat(ReadCost.masterCheaper(1 * MS, 6, 8, 300 * US, 3 * MS, 0, MAX_WAIT))
                .as("6 of 8 busy: 1 ms stretched to 4 ms").isFalse();
        assertThat(ReadCost.masterCheaper(100 * US, 8, 8, 300 * US, 40 * MS, 0, MAX_WAIT)).isFalse();
    }

    @Test
    void aReplicaThatHasHadTheTime_isWaitedFor() {
        assertThat(ReadCost.masterCheaper(300 * US, 0, 8, 300 * US, 40 * MS, 45 * MS, MAX_WAIT))
                .as("40 ms delay, written 45 ms ago: the replica's round trip against the master's").isFalse();
    }

    @Test
    void theCostsMoveTogether_neverBackAndForth() {
        // the longer since the write, the less the master is worth: once it is not cheaper, it stays so
        boolean previous = true;
        for (long since = 0; since <= 60 * MS; since += 100 * US) {
            boolean master = ReadCost.masterCheaper(2 * MS, 1, 8, 300 * US, 40 * MS, since, MAX_WAIT);
            assertThat(!master || previous).as("at %d us", since / US).isTrue();
            previous = master;
        }
    }
}
