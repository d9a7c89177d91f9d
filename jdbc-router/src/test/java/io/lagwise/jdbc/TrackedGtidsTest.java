package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.GtidSet;
import org.junit.jupiter.api.Test;

/**
 * What a committing statement tells from the GTID reports MySQL Connector/J hands over (no server
 * needed: the driver calls {@code ok} once per OK packet).
 */
class TrackedGtidsTest {

    static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    static final String B = "4f22fb58-82db-22f2-af44-d91bb0530673";

    final TrackedGtids.Tracker tracker = new TrackedGtids.Tracker();

    @Test
    void aWritesOwnGtid_isWhatItsOkPacketReported() {
        tracker.statementBegins();
        tracker.ok(A + ":42");
        assertThat(tracker.drain()).isEqualTo(GtidSet.parse(A + ":42"));
        assertThat(tracker.drain()).as("drained: nothing came since").isNull();
    }

    @Test
    void everyOkPacketCounts_soABatchKeepsEveryGtid_notOnlyTheLast() {
        tracker.statementBegins();
        tracker.ok(A + ":5");
        tracker.ok(A + ":6");
        tracker.ok(null);
        tracker.ok(A + ":7," + B + ":3");
        assertThat(tracker.drain()).isEqualTo(GtidSet.parse(A + ":5-7," + B + ":3"));
    }

    @Test
    void anOkPacketWithoutGtid_meansTheStatementCommittedNone() {
        tracker.statementBegins();
        tracker.ok(null); // SELECT LAST_INSERT_ID(), an UPDATE that matched nothing
        assertThat(tracker.drain()).isEqualTo(GtidSet.empty());
    }

    @Test
    void noOkPacketForTheStatement_isUnknown_evenAfterEarlierOnes() {
        tracker.ok(null); // an earlier read on the same connection
        tracker.statementBegins(); // a CALL whose result set still streams: its OK packet has not come
        assertThat(tracker.drain()).isNull();
    }

    @Test
    void gtidsReportedBeforeTheCommitBegan_stayUntilDrained() {
        tracker.statementBegins();
        tracker.ok(A + ":9"); // a DDL that committed implicitly inside the transaction
        tracker.statementBegins(); // the commit
        tracker.ok(A + ":10");
        assertThat(tracker.drain()).isEqualTo(GtidSet.parse(A + ":9-10"));
    }

    @Test
    void anUnreadableReport_orTwoKindsInOneStatement_makeTheStatementUnknown() {
        tracker.statementBegins();
        tracker.ok("garbage");
        tracker.ok(A + ":3");
        assertThat(tracker.drain()).as("one unreadable report spoils the statement").isNull();
        tracker.statementBegins();
        tracker.ok(A + ":4");
        tracker.ok("0-1-17");
        assertThat(tracker.drain()).as("a MySQL set and a MariaDB position").isNull();
    }

    @Test
    void onMariadb_lastGtidIsReported_butAnOkPacketWithoutIt_isUnknown_notNone() {
        TrackedGtids.Tracker mariadb = new TrackedGtids.Tracker(false);
        mariadb.statementBegins();
        mariadb.ok("0-1-17");
        assertThat(mariadb.drain()).isEqualTo(GtidSet.parse("0-1-17"));
        mariadb.statementBegins();
        mariadb.ok(null); // MariaDB reports last_gtid only when it changed: this says nothing
        assertThat(mariadb.drain()).isNull();
    }

    @Test
    void theDriverIsFound_onThisClassPath() {
        assertThat(TrackedGtids.DRIVER_PRESENT).isTrue();
    }
}
