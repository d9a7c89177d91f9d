package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Flyway and Liquibase given nothing but a {@code jdbc:lagwise:} URL, a user and a password. */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class UrlOnlyToolsTest {

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        LagwiseDriver.closeAll();
    }

    /** A new, empty schema the application user owns (made by the administrator, as in production). */
    static String freshSchema(ReplicationTopology topology, String name) throws Exception {
        try (java.sql.Connection admin = topology.master().connectAdmin(); java.sql.Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            s.execute("GRANT ALL ON " + name + ".* TO '" + topology.username() + "'@'%'");
        }
        topology.awaitReplication(java.time.Duration.ofSeconds(10));
        return name;
    }

    String url(ReplicationTopology topology, JdbcDriver driver) throws Exception {
        return url(topology, driver, topology.database());
    }

    /** A settings file whose nodes' URLs name {@code database}. */
    String url(ReplicationTopology topology, JdbcDriver driver, String database) throws Exception {
        String from = "/" + topology.database() + "?";
        String s = "lagwise.master.url=" + topology.master().jdbcUrl(driver).replace(from, "/" + database + "?") + "\n"
                + "lagwise.replicas[0].url=" + topology.node("oslo").jdbcUrl(driver).replace(from, "/" + database + "?") + "\n"
                + "lagwise.replicas[0].region=oslo\n"
                + "lagwise.local-region=oslo\n";
        Path file = dir.resolve("tools.properties");
        Files.writeString(file, s, StandardCharsets.UTF_8);
        return "jdbc:lagwise:file:" + file;
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void flyway_migratesTwice_theSecondRunAppliesNothing(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        String schema = freshSchema(topology, "fw_" + suffix);
        Flyway flyway = Flyway.configure()
                .dataSource(url(topology, driver), topology.username(), topology.password())
                .locations("classpath:db/lagwise-flyway")
                .schemas(schema)
                .placeholders(Map.of("suffix", suffix))
                .load();
        MigrateResult first = flyway.migrate();
        assertThat(first.migrationsExecuted).isEqualTo(2);
        MigrateResult second = flyway.migrate();
        assertThat(second.migrationsExecuted).isZero();
        assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("2");
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void liquibase_updatesTwice_theSecondAppliesNothing(JdbcDriver driver, ReplicationTopology topology) throws Exception {
        String schema = freshSchema(topology, "lb_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        String url = url(topology, driver, schema);
        for (int run = 1; run <= 2; run++) {
            new liquibase.command.CommandScope("update")
                    .addArgumentValue("url", url)
                    .addArgumentValue("username", topology.username())
                    .addArgumentValue("password", topology.password())
                    .addArgumentValue("changelogFile", "db/lagwise-liquibase.sql")
                    .execute();
        }
        try (java.sql.Connection c = topology.master().connectAdmin(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*), (SELECT COUNT(*) FROM " + schema + ".lb_item) FROM "
                        + schema + ".DATABASECHANGELOG")) {
            rs.next();
            assertThat(rs.getInt(1)).as("two change sets recorded once, after two updates").isEqualTo(2);
            assertThat(rs.getInt(2)).as("the insert ran once").isEqualTo(2);
        }
    }
}
