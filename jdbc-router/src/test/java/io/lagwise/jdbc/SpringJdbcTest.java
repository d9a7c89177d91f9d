package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring JDBC on top, unchanged: JdbcTemplate in auto-commit, and DataSourceTransactionManager
 * transactions, read-only or not — what {@code @Transactional} does.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt")})
class SpringJdbcTest {

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void jdbcTemplate_andTransactions_routeAsPromised(JdbcDriver driver, ReplicationTopology topology) throws SQLException {
        // Reads after this thread's writes wait for a replica (budget 0) instead of going to the master,
        // 0.3 ms away here, for being cheaper: the routing of each kind of read is what is checked
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMasterBudget(0))) {
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            jdbc.execute("CREATE TABLE IF NOT EXISTS spring_" + driver + " (id INT PRIMARY KEY, ran_on INT)");
            assertThat(jdbc.queryForObject("SELECT @@server_id", Integer.class))
                    .as("auto-commit select").isEqualTo(RoutingTest.OSLO);

            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
            Integer inWriteTx = tx.execute(status -> {
                jdbc.update("INSERT INTO spring_" + driver + " VALUES (1, @@server_id)");
                return jdbc.queryForObject("SELECT @@server_id", Integer.class);
            });
            assertThat(inWriteTx).as("read inside a read-write transaction").isEqualTo(RoutingTest.MASTER);

            TransactionTemplate readOnly = new TransactionTemplate(new DataSourceTransactionManager(ds));
            readOnly.setReadOnly(true);
            Integer inReadOnlyTx = readOnly.execute(status -> jdbc.queryForObject("SELECT @@server_id", Integer.class));
            assertThat(inReadOnlyTx).as("@Transactional(readOnly = true)").isEqualTo(RoutingTest.OSLO);
            assertThatThrownBy(() -> readOnly.execute(status -> jdbc.update("INSERT INTO spring_" + driver + " VALUES (2, 0)")))
                    .isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("cannot run a write on a read-only connection");

            tx.execute(status -> {
                jdbc.update("INSERT INTO spring_" + driver + " VALUES (3, @@server_id)");
                status.setRollbackOnly();
                return null;
            });
            assertThat(jdbc.queryForObject("/* lagwise:master */ SELECT COUNT(*) FROM spring_" + driver
                    + " WHERE ran_on = 1", Integer.class)).as("the committed row, written on the master").isEqualTo(1);
            assertThat(jdbc.queryForObject("/* lagwise:master */ SELECT COUNT(*) FROM spring_" + driver
                    + " WHERE id = 3", Integer.class)).as("the rolled-back row").isZero();
        }
    }
}
