package io.lagwise.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.benchmarks.ContendersBenchmark.Servers;
import io.lagwise.benchmarks.contenders.Contenders.Kind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the comparison with every contender: each one works, the stale-read count can
 * fail (a replica-reading contender without read-your-writes shows stale reads), Lagwise shows
 * none, and the report and chart come out.
 */
class ContendersBenchmarkTest {

    @Test
    void aShortRun_ofEveryContender() throws Exception {
        ContendersBenchmark.Run run = ContendersBenchmark.run(Duration.ofMillis(400), List.of(Kind.values()),
                Servers.MARIADB);
        List<ContendersBenchmark.Result> results = run.results();

        assertThat(results).hasSize(Kind.values().length);
        for (ContendersBenchmark.Result r : results) {
            assertThat(r.read8().ops()).as(r.name() + " reads").isPositive();
            assertThat(r.read8().failures()).as(r.name() + " failed reads").isZero();
            assertThat(r.write8().ops()).as(r.name() + " writes").isPositive();
            assertThat(r.writeThenRead().failures()).as(r.name() + " failures, no fault").isZero();
        }
        ContendersBenchmark.Result raw = results.get(0);
        assertThat(raw.writeThenRead().stale()).as("master only: never stale").isZero();
        assertThat(raw.writeThenRead().replicaShare()).isZero();
        for (ContendersBenchmark.Result r : results.subList(1, 4)) {
            assertThat(r.writeThenRead().stale()).as(r.name() + ": reads replicas without read-your-writes").isPositive();
        }
        for (ContendersBenchmark.Result r : results.subList(4, 7)) {
            assertThat(r.writeThenRead().stale() + r.mix().stale() + r.lagging().stale() + r.killed().stale())
                    .as(r.name() + " stale reads").isZero();
            assertThat(r.lagging().failures() + r.killed().failures()).as(r.name() + " failed operations under faults")
                    .isZero();
        }
        assertThat(results.get(4).mix().replicaShare()).as("GTID mode: replica share in the 90/10 mix").isPositive();
        String md = ContendersBenchmark.markdown(run, Duration.ofMillis(400));
        assertThat(run.server()).matches("MariaDB \\d+\\.\\d+\\.\\d+");
        assertThat(md).startsWith("# Lagwise beside the alternatives\n").contains("a " + run.server() + " master",
                "| Lagwise (GTID)", "| MariaDB C/J replication", "| Spring routing DataSource",
                "## Faults during the 90/10 mix", "MySQL Connector/J runs here against MariaDB servers");
        String svg = ContendersBenchmark.Chart.svg(results);
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("Lagwise (PIN)");
        var chart = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(chart.getElementsByTagName("rect").getLength()).as("background + 2 bars per contender")
                .isEqualTo(1 + 2 * results.size());
    }

    @Test
    void servers_areMariadbByDefault_orNamed() {
        assertThat(Servers.of(null)).isEqualTo(Servers.MARIADB);
        assertThat(Servers.of("mariadb")).isEqualTo(Servers.MARIADB);
        assertThat(Servers.of("mysql")).isEqualTo(Servers.MYSQL);
        assertThat(Servers.MARIADB.file(".md")).isEqualTo("latest.md");
        assertThat(Servers.MYSQL.file(".svg")).isEqualTo("latest-mysql.svg");
    }

    @Test
    void servers_otherValue_isRejectedWithThePropertyAndTheAllowedValues() {
        assertThatThrownBy(() -> Servers.of("postgres")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lagwise.bench.servers must be mariadb or mysql, was 'postgres'");
        assertThatThrownBy(() -> Servers.of("MySQL")).hasMessage("lagwise.bench.servers must be mariadb or mysql, was 'MySQL'");
        assertThatThrownBy(() -> Servers.of("")).hasMessage("lagwise.bench.servers must be mariadb or mysql, was ''");
    }
}
