package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import io.lagwise.core.Consistency;
import io.lagwise.core.NodeRole;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A write that waits for the old master's saturated pool while a
 * promotion is followed (what a failing master looks like: every pooled connection stuck). The pool
 * of the left role keeps minimumIdle (HikariCP's default: maximumPoolSize) and keeps handing out fresh
 * connections to the old master while it drains.
 */
class FollowPromotionRaceTest {

    @Test
    void aWriteWaitingForTheOldMastersPool_whenAPromotionIsFollowed_doesNotRunOnTheOldMaster() throws Exception {
        List<FakeServer.Executed> journal = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ids = new AtomicInteger();
        FakeServer old = new FakeServer("master", 1, journal, ids);
        FakeServer promoted = new FakeServer("oslo-1", 2, journal, ids);
        FakeTicker ticker = new FakeTicker();
        HikariConfig mc = new HikariConfig();
        mc.setDataSource(old.dataSource());
        mc.setPoolName("race.master");
        mc.setMaximumPoolSize(2);
        mc.setMinimumIdle(2); // HikariCP's default is maximumPoolSize
        mc.setInitializationFailTimeout(-1);
        mc.setConnectionTimeout(2_000);
        Node m = new Node("test", JdbcUrl.parse("jdbc:mariadb://master:3306/app"), NodeRole.MASTER, "oslo", false, mc,
                new Properties(), ticker);
        m.dialect = ServerDialect.MARIADB;
        Node y = promoted.node(NodeRole.REPLICA, "oslo", ticker);
        Cluster cluster = new Cluster("test", m, List.of(y), FakeCluster.IN_ORDER, "oslo", ReadFallback.MASTER,
                new StatementClassifier(1000), Consistency.EVENTUAL, ReadYourWritesMode.GTID, Duration.ofMillis(50),
                Duration.ofMillis(100), 2.0, ticker);
        RoutingConnection c1 = new RoutingConnection(cluster);
        RoutingConnection c2 = new RoutingConnection(cluster);
        RoutingConnection c3 = new RoutingConnection(cluster);
        try {
            FakeCluster.update(c1, "UPDATE t SET v = 1"); // held for the connection's life
            FakeCluster.update(c2, "UPDATE t SET v = 2"); // the pool is full now
            String[] outcome = new String[1];
            Thread waiting = new Thread(() -> {
                try {
                    FakeCluster.update(c3, "UPDATE t SET v = 3");
                    outcome[0] = "ok";
                } catch (SQLException e) {
                    outcome[0] = e.getMessage();
                }
            });
            waiting.start();
            Thread.sleep(200); // c3 waits in the old master's pool
            long epochBefore = cluster.masterEpoch;
            cluster.follow(y);
            assertThat(cluster.masterEpoch).isGreaterThan(epochBefore);
            c1.close(); // a connection comes back to the draining pool
            waiting.join(5_000);
            List<String> onOld;
            synchronized (journal) {
                onOld = journal.stream().filter(e -> e.server().equals("master") && e.sql().equals("UPDATE t SET v = 3"))
                        .map(e -> e.server() + ": " + e.sql()).toList();
            }
            assertThat(onOld).as("c3's write (outcome: " + outcome[0] + ") ran after the follow on the old master").isEmpty();
        } finally {
            c1.close();
            c2.close();
            c3.close();
            m.close();
            y.close();
        }
    }
}
