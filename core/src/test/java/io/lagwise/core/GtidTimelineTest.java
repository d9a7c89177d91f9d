package io.lagwise.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GtidTimelineTest {

    static final long MS = 1_000_000L;

    @Test
    void replicaAtTheNewestPosition_hasNoLag_whateverTheTime() {
        GtidTimeline t = new GtidTimeline(16);
        t.record(0, GtidSet.parse("0-1-10"));
        assertThat(t.lagNanos(GtidSet.parse("0-1-10"), 5_000 * MS)).isZero();
        assertThat(t.lagNanos(GtidSet.parse("0-1-12"), 5_000 * MS)).isZero();
    }

    @Test
    void lag_isTheAgeOfTheOldestPositionTheReplicaHasNotReached() {
        GtidTimeline t = new GtidTimeline(16);
        t.record(100 * MS, GtidSet.parse("0-1-10"));
        t.record(200 * MS, GtidSet.parse("0-1-11"));
        t.record(300 * MS, GtidSet.parse("0-1-12"));
        assertThat(t.lagNanos(GtidSet.parse("0-1-10"), 350 * MS)).isEqualTo(150 * MS);
        assertThat(t.lagNanos(GtidSet.parse("0-1-11"), 350 * MS)).isEqualTo(50 * MS);
        assertThat(t.lagNanos(GtidSet.parse("0-1-9"), 350 * MS)).isEqualTo(250 * MS);
    }

    @Test
    void unchangedPosition_keepsItsFirstSeenTime() {
        GtidTimeline t = new GtidTimeline(16);
        t.record(100 * MS, GtidSet.parse("0-1-10"));
        t.record(900 * MS, GtidSet.parse("0-1-10"));
        assertThat(t.lagNanos(GtidSet.parse("0-1-9"), 1000 * MS)).isEqualTo(900 * MS);
    }

    @Test
    void full_dropsTheOldest_andLagBecomesALowerBound() {
        GtidTimeline t = new GtidTimeline(2);
        t.record(100 * MS, GtidSet.parse("0-1-1"));
        t.record(200 * MS, GtidSet.parse("0-1-2"));
        t.record(300 * MS, GtidSet.parse("0-1-3"));
        assertThat(t.lagNanos(GtidSet.parse("0-1-0"), 400 * MS)).isEqualTo(200 * MS);
        assertThat(t.newest()).isEqualTo(GtidSet.parse("0-1-3"));
    }

    @Test
    void empty_hasNoLag_andBadCapacityIsRejected() {
        assertThat(new GtidTimeline(4).lagNanos(GtidSet.empty(), 1)).isZero();
        assertThatThrownBy(() -> new GtidTimeline(1)).hasMessage("capacity must be at least 2, was 1");
    }
}
