package io.lagwise.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo runs on a real topology and its table says what the README promises. */
class ReplicationLagDemoTest {

    @Test
    void demo_showsMillisecondLagThatSecondsBehindMasterCannotSee() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReplicationLagDemo.Result result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = ReplicationLagDemo.run(30, Duration.ofMillis(40), Duration.ofMillis(40), Duration.ofMillis(1500), out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(printed); // the demo's own output, kept in the test report

        assertThat(result.rows()).containsOnlyKeys("oslo", "frankfurt");
        for (ReplicationLagDemo.Row row : result.rows().values()) {
            assertThat(row.lag().count()).as(row.name() + " saw every write").isEqualTo(30);
            assertThat(row.lag().percentile(0.5)).as(row.name() + " p50 lag")
                    .isBetween(Duration.ofMillis(35), Duration.ofMillis(80));
            assertThat(row.sbmSamples()).as("Seconds_Behind_Master was sampled").isPositive();
            assertThat(row.sbmMax()).as("Seconds_Behind_Master never left 0").isZero();
        }
        assertThat(result.rows().get("oslo").roundTrip()).isLessThan(Duration.ofMillis(10));
        assertThat(result.rows().get("frankfurt").roundTrip()).isGreaterThan(Duration.ofMillis(38));
        assertThat(printed).contains("replica    region     app RTT").contains("oslo       oslo")
                .contains("frankfurt  frankfurt").contains("0 s in all").contains("Seconds_Behind_Master said 0");

        // Part two: the live view shows oslo's replication stopping and coming back, and no read failed.
        assertThat(result.frames()).isNotEmpty();
        assertThat(result.frames()).anySatisfy(f -> assertThat(f.snapshot().replicas().get(0).health())
                .isEqualTo(io.lagwise.core.Health.REPLICATION_STOPPED));
        ReplicationLagDemo.Result r = result;
        assertThat(r.frames().get(r.frames().size() - 1).snapshot().replicas().get(0).health())
                .isEqualTo(io.lagwise.core.Health.UP);
        assertThat(printed).contains("oslo's SQL thread STOPPED").contains("Reads failed: 0 of");

        // Part three: the naive run shows stale reads, Lagwise none: by default the read after a write
        // goes to the master next door, with a budget of 0 it waits for a replica.
        assertThat(result.readYourWrites()).hasSize(5);
        assertThat(result.readYourWrites().get(0).stale()).as("naive stale reads").isPositive();
        assertThat(result.readYourWrites().get(1).stale()).as("Lagwise stale reads").isZero();
        assertThat(result.readYourWrites().get(2).stale()).as("Lagwise (budget 0) stale reads").isZero();
        assertThat(result.readYourWrites().get(2).onReplicas()).as("waits, then reads the replica").isPositive();
        // In Frankfurt (the master 40 ms away), both drivers: never stale, and the read after a write is
        // served by the local replica, not the far master.
        for (ReadYourWritesView.Run run : result.readYourWrites().subList(3, 5)) {
            assertThat(run.placement()).startsWith("Frankfurt");
            assertThat(run.stale()).as(run.name()).isZero();
            assertThat(run.onReplicas()).as(run.name() + ": on the local replica").isGreaterThanOrEqualTo(run.reads() * 9 / 10);
        }
        assertThat(printed).contains("Frankfurt, the master 40 ms away").contains("read after write p50");

        // Part four: the failover is followed, writes resume on the promoted replica, the old master takes none.
        FailoverView.Result failover = result.failover();
        assertThat(failover.resumedOn()).isEqualTo(failover.promotedServerId());
        assertThat(failover.resumedAfterMillis()).as("writes resume within 2 probe intervals and a probe timeout")
                .isBetween(0L, 1500L);
        assertThat(failover.writesOnOldMasterAfter()).isZero();
        assertThat(failover.firstFailure()).as("failures name the master").contains("127.0.0.1:");
        assertThat(printed).contains("is the master now").contains("the old master comes back, read-only");
    }
}
