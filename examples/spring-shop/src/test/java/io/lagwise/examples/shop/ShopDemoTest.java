package io.lagwise.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.testkit.ReplicationTopology;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example does what its README says: no stale read with the cookie, stale reads without it. */
class ShopDemoTest {

    @Test
    void withTheCookie_noStaleRead_withoutIt_staleReads() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (ReplicationTopology topology = ReplicationTopology.builder()
                .replica("oslo").replica("frankfurt", Duration.ofMillis(20))
                .replicationDelay(Duration.ofMillis(40)).start()) {
            ShopDemo demo = ShopDemo.on(topology);
            try {
                List<ShopDemo.Run> runs = demo.run(out, 40);
                String printed = buffer.toString(StandardCharsets.UTF_8);
                System.out.print(printed);
                assertThat(runs.get(0).stale()).as("with the cookie").isZero();
                assertThat(runs.get(0).onReplicas()).as("reads on replicas with the cookie").isPositive();
                assertThat(runs.get(1).stale()).as("without the cookie").isPositive();
                assertThat(printed).contains("status UP", "lagwise.node.round.trip", "oslo", "frankfurt")
                        .doesNotContain(topology.password());
            } finally {
                demo.close();
            }
        }
    }
}
