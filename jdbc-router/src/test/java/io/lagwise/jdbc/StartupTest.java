package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Starting against real servers: wrong credentials and unreachable nodes are clear, secrets never shown. */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class StartupTest {

    static final String SECRET = "Wr0ng-Secret-Pw";

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void wrongPassword_failsTheBuild_namingTheNode_neverThePassword(JdbcDriver driver, ReplicationTopology topology) {
        ByteArrayOutputStream logs = captureStderr();
        try {
            assertThatThrownBy(() -> LagwiseDataSource.builder().name("wrong-pw")
                    .master(topology.master().jdbcUrl(driver))
                    .username(topology.username()).password(SECRET)
                    .pool(p -> p.connectionTimeout(java.time.Duration.ofSeconds(1)))
                    .build())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("wrong-pw: cannot connect to master 127.0.0.1:" + topology.master().port()
                            + " at start")
                    .hasMessageContaining("Access denied")
                    .hasMessageNotContaining(SECRET);
        } finally {
            restoreStderr();
        }
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void unreachableReplica_failsTheBuild_orStartsDegradedIfAllowed(JdbcDriver driver, ReplicationTopology topology)
            throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String nowhere = driver.url("127.0.0.1", closedPort, topology.database());
        assertThatThrownBy(() -> Routed.dataSource(topology, driver, b -> b.replica(nowhere, "oslo")
                .pool(p -> p.connectionTimeout(java.time.Duration.ofSeconds(1)))))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("cannot connect to replica 127.0.0.1:" + closedPort + " (oslo) at start")
                .hasMessageContaining("allowDegradedStart(true) starts without it");

        try (LagwiseDataSource ds = LagwiseDataSource.builder().master(topology.master().jdbcUrl(driver))
                .replica(nowhere, "oslo").replica(topology.node("frankfurt").jdbcUrl(driver), "frankfurt")
                .username(topology.username()).password(topology.password()).localRegion("oslo")
                .allowDegradedStart(true).pool(p -> p.connectionTimeout(java.time.Duration.ofSeconds(1))).build();
                Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c)).as("the unreachable local replica is skipped").isEqualTo(RoutingTest.FRANKFURT);
            assertThat(ds.toString()).contains("replica 127.0.0.1:" + closedPort + " (oslo)")
                    .doesNotContain(topology.password());
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void passwordInTheUrl_works_andIsNeverShown(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        String url = topology.master().jdbcUrl(driver) + "&user=" + topology.username() + "&password=" + topology.password();
        try (LagwiseDataSource ds = LagwiseDataSource.builder().master(url).build(); Connection c = ds.getConnection()) {
            assertThat(Routed.serverId(c)).isEqualTo(RoutingTest.MASTER);
            assertThat(ds.toString()).doesNotContain(topology.password());
            assertThat(c.toString()).doesNotContain(topology.password());
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void closedDataSource_refusesConnections(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        LagwiseDataSource ds = Routed.dataSource(topology, driver);
        Connection open = ds.getConnection();
        ds.close();
        assertThat(ds.isClosed()).isTrue();
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLException.class).hasMessageContaining("data source is closed");
        assertThatThrownBy(() -> Routed.serverId(open)).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> ds.getConnection("u", "p")).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
    }

    private static PrintStream originalErr;

    private static ByteArrayOutputStream captureStderr() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        originalErr = System.err;
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes;
    }

    private static void restoreStderr() {
        System.setErr(originalErr);
    }
}
