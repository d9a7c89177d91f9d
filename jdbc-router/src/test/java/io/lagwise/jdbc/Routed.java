package io.lagwise.jdbc;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/** Test helpers: a data source over a testkit topology, and which server ran a statement. */
final class Routed {

    private Routed() {}

    /** master + every replica of the topology, each in its own region (its name), local region "oslo". */
    static LagwiseDataSource dataSource(ReplicationTopology topology, JdbcDriver driver) throws SQLException {
        return dataSource(topology, driver, b -> { });
    }

    static LagwiseDataSource dataSource(ReplicationTopology topology, JdbcDriver driver,
            Consumer<LagwiseDataSource.Builder> more) throws SQLException {
        LagwiseDataSource.Builder b = LagwiseDataSource.builder()
                .name("test-" + driver.name().toLowerCase())
                .master(topology.master().jdbcUrl(driver))
                .username(topology.username())
                .password(topology.password())
                .localRegion("oslo")
                .pool(p -> p.maximumPoolSize(4).minimumIdle(0));
        topology.replicas().forEach(r -> b.replica(r.jdbcUrl(driver), r.region()));
        more.accept(b);
        return b.build();
    }

    /**
     * Whether the topology runs MySQL servers (the few places a test must use other SQL say why: MySQL
     * 8.0 has no {@code @@tx_isolation} and no MariaDB privilege names).
     */
    static boolean mysql(ReplicationTopology topology) {
        return !topology.serverDescription().contains("MariaDB");
    }

    /** The {@code @@server_id} of the server that runs this query on this connection. */
    static int serverId(Connection c) throws SQLException {
        return serverId(c, "SELECT @@server_id");
    }

    static int serverId(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
