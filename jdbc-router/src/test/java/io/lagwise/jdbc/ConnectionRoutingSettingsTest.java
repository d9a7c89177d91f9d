package io.lagwise.jdbc;

import static io.lagwise.jdbc.FakeCluster.query;
import static io.lagwise.jdbc.FakeCluster.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session settings made on a routing connection reach each server connection it uses, once, before
 * its first statement there; and what the pool would not undo is undone before the server connection
 * goes back to it.
 */
class ConnectionRoutingSettingsTest {

    final FakeCluster fakes = new FakeCluster();

    @AfterEach
    void close() throws SQLException {
        fakes.close();
    }

    static final List<String> SETTINGS = List.of("setTransactionIsolation(8)", "setCatalog(sales)", "setSchema(sales)",
            "setNetworkTimeout(executor, 12345)", "setClientInfo({ApplicationName=billing})");

    RoutingConnection configured() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setCatalog("sales");
        c.setSchema("sales");
        c.setNetworkTimeout(Runnable::run, 12345);
        c.setClientInfo("ApplicationName", "billing");
        return c;
    }

    /** The calls of {@link #SETTINGS} made on server connection {@code id}, in order. */
    static List<String> settingsOn(FakeServer server, int id) {
        return server.calls(id).stream().filter(SETTINGS::contains).toList();
    }

    @Test
    void settingsMadeBeforeAnyStatement_reachEachServerConnectionOnce_beforeItsFirstStatement() throws SQLException {
        RoutingConnection c = configured();
        assertThat(fakes.master.connectionsOpened() + fakes.replica(1).connectionsOpened()).as("nothing borrowed yet")
                .isZero();

        for (int i = 0; i < 2; i++) {
            query(c, "SELECT * FROM t");
            update(c, "INSERT INTO t VALUES (1)");
        }

        int onReplica = fakes.replica(1).executed().get(0).connection();
        int onMaster = fakes.master.executed("INSERT").get(0).connection();
        assertThat(settingsOn(fakes.replica(1), onReplica)).containsExactlyInAnyOrderElementsOf(SETTINGS);
        assertThat(settingsOn(fakes.master, onMaster)).containsExactlyInAnyOrderElementsOf(SETTINGS);
        assertThat(fakes.replica(1).executed("SELECT * FROM t")).extracting(FakeServer.Executed::catalog)
                .as("in place before the first statement").containsOnly("sales");
        assertThat(fakes.master.executed("INSERT")).extracting(FakeServer.Executed::catalog).containsOnly("sales");
    }

    @Test
    void aSettingChangedLater_reachesTheServerConnectionsAtTheirNextUse() throws SQLException {
        RoutingConnection c = fakes.connect();
        query(c, "SELECT * FROM t");
        update(c, "INSERT INTO t VALUES (1)");

        c.setCatalog("sales");
        query(c, "SELECT * FROM t");
        update(c, "INSERT INTO t VALUES (2)");

        assertThat(fakes.replica(1).executed("SELECT * FROM t")).extracting(FakeServer.Executed::catalog)
                .containsExactly("app", "sales");
        assertThat(fakes.master.executed("INSERT")).extracting(FakeServer.Executed::catalog).containsExactly("app", "sales");
        assertThat(fakes.master.calls()).extracting(FakeServer.Call::text).containsOnlyOnce("setCatalog(sales)");
    }

    @Test
    void clientInfo_isBlankedBeforeTheServerConnectionGoesBackToItsPool() throws SQLException {
        RoutingConnection c = configured();
        query(c, "SELECT * FROM t");
        update(c, "INSERT INTO t VALUES (1)");
        int onReplica = fakes.replica(1).executed().get(0).connection();
        int onMaster = fakes.master.executed().get(0).connection();

        c.close();

        assertThat(fakes.replica(1).calls(onReplica))
                .containsSubsequence("setClientInfo({ApplicationName=billing})", "setClientInfo(ApplicationName, )");
        assertThat(fakes.master.calls(onMaster))
                .containsSubsequence("setClientInfo({ApplicationName=billing})", "setClientInfo(ApplicationName, )");
    }

    @Test
    void theNextBorrowerOfAServerConnection_doesNotInheritTheCatalog() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setCatalog("sales");
        query(c, "SELECT * FROM t");
        c.close();

        RoutingConnection next = fakes.connect();
        query(next, "SELECT * FROM u");

        List<FakeServer.Executed> reads = fakes.replica(1).executed();
        assertThat(reads).extracting(FakeServer.Executed::connection).as("the pool hands out the same connection")
                .containsExactly(reads.get(0).connection(), reads.get(0).connection());
        assertThat(reads).extracting(FakeServer.Executed::catalog).as("the URL's database for the next borrower")
                .containsExactly("sales", "app");
        assertThat(fakes.replica(1).calls(reads.get(0).connection())).containsSubsequence("setCatalog(sales)", "setCatalog(app)");
    }

    @Test
    void aServerConnectionWithASchemaThatCannotBeUndone_isNotHandedToTheNextBorrower() throws SQLException {
        RoutingConnection c = fakes.connect();
        c.setSchema("sales"); // the fake's connections start without one
        query(c, "SELECT * FROM t");
        c.close();

        RoutingConnection next = fakes.connect();
        query(next, "SELECT * FROM u");

        List<FakeServer.Executed> reads = fakes.replica(1).executed();
        assertThat(reads.get(1).connection()).as("evicted, not reused").isNotEqualTo(reads.get(0).connection());
        assertThat(fakes.replica(1).calls(reads.get(1).connection())).noneMatch(call -> call.startsWith("setSchema"));
    }
}
