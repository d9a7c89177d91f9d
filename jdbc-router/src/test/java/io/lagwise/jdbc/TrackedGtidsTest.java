package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.GtidSet;
import org.junit.jupiter.api.Test;

/** How a GTID report from the server becomes a position (no server needed). */
class TrackedGtidsTest {

    static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    static final String B = "4f22fb58-82db-22f2-af44-d91bb0530673";

    @Test
    void aReportedGtid_standsForEveryTransactionOfItsServerUpToIt() {
        assertThat(TrackedGtids.closedDown(A + ":17")).isEqualTo(GtidSet.parse(A + ":1-17"));
        assertThat(TrackedGtids.closedDown(A + ":5-7:9")).isEqualTo(GtidSet.parse(A + ":1-9"));
        assertThat(TrackedGtids.closedDown(A + ":3," + B + ":5-8")).isEqualTo(GtidSet.parse(A + ":1-3," + B + ":1-8"));
        assertThat(TrackedGtids.closedDown(" " + A.toUpperCase() + ":1 ")).isEqualTo(GtidSet.parse(A + ":1"));
    }

    @Test
    void aReportThatIsNoMysqlGtidSet_givesNoPosition() {
        assertThat(TrackedGtids.closedDown("")).isNull();
        assertThat(TrackedGtids.closedDown("0-1-17")).as("a MariaDB GTID").isNull();
        assertThat(TrackedGtids.closedDown("garbage")).isNull();
        assertThat(TrackedGtids.closedDown(A + ":0")).isNull();
    }

    @Test
    void theDriverIsFound_onThisClassPath() {
        assertThat(TrackedGtids.DRIVER_PRESENT).isTrue();
    }
}
