package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code jdbc:lagwise:} URLs through {@link DriverManager}, as a tool that takes only a URL, a user and
 * a password uses them: reads on a replica, a transaction on the master, one data source shared per
 * URL and user, the file and classpath forms, and every mistake named.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class LagwiseDriverTest {

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        LagwiseDriver.closeAll();
    }

    Path settings(ReplicationTopology topology, JdbcDriver driver, String... more) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append("lagwise.name=url-").append(driver.name().toLowerCase()).append('\n');
        s.append("lagwise.master.url=").append(topology.master().jdbcUrl(driver)).append('\n');
        s.append("lagwise.replicas[0].url=").append(topology.node("oslo").jdbcUrl(driver)).append('\n');
        s.append("lagwise.replicas[0].region=oslo\n");
        s.append("lagwise.replicas[1].url=").append(topology.node("frankfurt").jdbcUrl(driver)).append('\n');
        s.append("lagwise.replicas[1].region=frankfurt\n");
        s.append("lagwise.local-region=oslo\n");
        for (String line : more) {
            s.append(line).append('\n');
        }
        Path file = dir.resolve("lagwise-" + driver.name().toLowerCase() + ".properties");
        Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
        return file;
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void aUrlOnly_routesAReadToAReplica_aTransactionToTheMaster_andSharesItsDataSource(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        String url = "jdbc:lagwise:file:" + settings(topology, driver);
        try (Connection c = DriverManager.getConnection(url, topology.username(), topology.password())) {
            assertThat(c).isInstanceOf(LagwiseConnection.class);
            assertThat(Routed.serverId(c)).as("a plain read: the local replica").isEqualTo(topology.node("oslo").serverId());
            c.setAutoCommit(false);
            assertThat(Routed.serverId(c)).as("a transaction: the master").isEqualTo(topology.master().serverId());
            c.commit();
            assertThat(c.getMetaData().getDatabaseProductName()).as("tools see the target's product")
                    .isIn("MariaDB", "MySQL");
        }
        try (Connection again = DriverManager.getConnection(url, topology.username(), topology.password())) {
            assertThat(Routed.serverId(again)).isEqualTo(topology.node("oslo").serverId());
        }
        List<LagwiseDataSource> built = LagwiseDriver.dataSources();
        assertThat(built).as("one data source per URL and user, shared").hasSize(1);
        assertThat(built.get(0).name()).isEqualTo("url-" + driver.name().toLowerCase());
    }

    @Test
    void theClasspathForm_withPlaceholdersFromSystemProperties(ReplicationTopology topology) throws Exception {
        System.setProperty("LAGWISE_TEST_MASTER", topology.master().jdbcUrl());
        System.setProperty("LAGWISE_TEST_OSLO", topology.node("oslo").jdbcUrl());
        try (Connection c = DriverManager.getConnection("jdbc:lagwise:classpath:lagwise-driver-test.properties",
                topology.username(), topology.password())) {
            assertThat(Routed.serverId(c)).isEqualTo(topology.node("oslo").serverId());
        } finally {
            System.clearProperty("LAGWISE_TEST_MASTER");
            System.clearProperty("LAGWISE_TEST_OSLO");
        }
    }

    @Test
    void otherUrls_areLeftToOtherDrivers() throws SQLException {
        LagwiseDriver d = new LagwiseDriver();
        assertThat(d.acceptsURL("jdbc:mariadb://localhost/app")).isFalse();
        assertThat(d.acceptsURL("jdbc:lagwise:file:/x")).isTrue();
        assertThat(d.connect("jdbc:mysql://localhost/app", new java.util.Properties())).isNull();
        assertThat(d.getPropertyInfo("jdbc:lagwise:file:/x", new java.util.Properties()))
                .extracting(p -> p.name).contains("user", "password", "lagwise.master.url", "lagwise.follow-promotions");
    }

    @Test
    void everyMistake_namesTheFileThePropertyAndTheValue_neverThePassword(ReplicationTopology topology) throws Exception {
        Path missing = dir.resolve("nowhere.properties");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:lagwise:file:" + missing, "app", "hunter2"))
                .isInstanceOf(SQLException.class).hasMessageContaining("cannot read the Lagwise settings file " + missing)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:lagwise:classpath:no-such.properties", "app", "hunter2"))
                .hasMessageContaining("cannot read the Lagwise settings resource no-such.properties").hasMessageContaining("not on the class path");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:lagwise:/etc/x.properties", "app", "hunter2"))
                .hasMessageContaining("a Lagwise URL names its settings: jdbc:lagwise:file:");
        Path unknown = settings(topology, JdbcDriver.MARIADB, "lagwise.max-replica-lag=1s");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:lagwise:file:" + unknown, "app", "hunter2"))
                .hasMessageStartingWith("file:" + unknown + ": lagwise.max-replica-lag is not a Lagwise setting; did you mean lagwise.max-replication-lag?")
                .hasMessageNotContaining("hunter2");
        Path bad = settings(topology, JdbcDriver.MARIADB, "lagwise.monitor.interval=soon");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:lagwise:file:" + bad, "app", "hunter2"))
                .hasMessageStartingWith("file:" + bad + ": lagwise.monitor.interval=soon is not a duration");
        Path wrongPassword = settings(topology, JdbcDriver.MARIADB);
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:lagwise:file:" + wrongPassword, topology.username(), "hunter2"))
                .isInstanceOf(SQLException.class).hasMessageContaining("file:" + wrongPassword + ": ")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void closeAll_closesThePools_andTheNextConnectionBuildsAnew(ReplicationTopology topology) throws Exception {
        String url = "jdbc:lagwise:file:" + settings(topology, JdbcDriver.MARIADB);
        try (Connection c = DriverManager.getConnection(url, topology.username(), topology.password());
                Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
        LagwiseDataSource first = LagwiseDriver.dataSources().get(0);
        LagwiseDriver.closeAll();
        assertThat(first.isClosed()).isTrue();
        try (Connection c = DriverManager.getConnection(url, topology.username(), topology.password())) {
            assertThat(Routed.serverId(c)).isEqualTo(topology.node("oslo").serverId());
        }
        assertThat(LagwiseDriver.dataSources()).hasSize(1).doesNotContain(first);
    }
}
