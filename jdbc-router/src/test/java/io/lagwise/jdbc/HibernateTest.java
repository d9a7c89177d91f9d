package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hibernate ORM on top, unchanged and without Spring: with {@code hibernate.jdbc.time_zone} set it
 * binds every timestamp with {@code setTimestamp(index, value, Calendar)}. A query right after a
 * write is prepared on a replica and must move to the master at execution (read-your-writes, the
 * replicas 40 ms behind and no wait allowed), so its parameters, that Calendar one included, are
 * set again there.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
class HibernateTest {

    static final int ROUNDS = 30;

    /** The entity: an id the database assigns, a name and a timestamp. */
    @Entity(name = "Event")
    @Table(name = "hibernate_event")
    static class Event {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Long id;

        @Column(nullable = false)
        String name;

        @Column(name = "happened_at", nullable = false)
        Instant happenedAt;

        Event() {}

        Event(String name, Instant happenedAt) {
            this.name = name;
            this.happenedAt = happenedAt;
        }
    }

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void queryWithTimestampRightAfterCommit_movesToTheMaster_andSeesTheRow(JdbcDriver driver,
            ReplicationTopology topology) throws Exception {
        // No wait on a replica: a read right after a write must go to the master, so the prepared
        // query always has to move there (with a wait it would mostly stay on the replica).
        try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.readYourWritesMaxWait(Duration.ZERO))) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS hibernate_event (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                        + " name VARCHAR(100) NOT NULL, happened_at DATETIME(6) NOT NULL)");
            }
            topology.awaitReplication(Duration.ofSeconds(5));
            String run = driver + "-" + System.nanoTime();
            try (SessionFactory sessions = sessionFactory(ds); EntityManager em = sessions.createEntityManager()) {
                RoutingStats before = ds.routingStats();
                long started = System.nanoTime();
                for (int round = 0; round < ROUNDS; round++) {
                    Event event = new Event(run + "-" + round, Instant.now().truncatedTo(ChronoUnit.MICROS));
                    em.getTransaction().begin();
                    em.persist(event);
                    em.getTransaction().commit();

                    // Outside a transaction: auto-commit, so the read is routed per execution.
                    List<Long> seen = em.createQuery("select e.id from Event e where e.happenedAt >= :since"
                                    + " and e.name = :name", Long.class)
                            .setParameter("since", event.happenedAt.minusSeconds(1))
                            .setParameter("name", event.name)
                            .getResultList();
                    assertThat(seen).as("round %d: the row just written", round).containsExactly(event.id);
                }
                RoutingStats after = ds.routingStats();
                long toMaster = after.routed(RouteReason.READ_YOUR_WRITES) - before.routed(RouteReason.READ_YOUR_WRITES);
                System.out.printf("%s: %d rounds in %d ms, %d reads sent to the master by read-your-writes%n", driver,
                        ROUNDS, (System.nanoTime() - started) / 1_000_000, toMaster);
                assertThat(toMaster).as("reads that read-your-writes moved to the master").isPositive();
                assertThat(after.reads() - before.reads()).as("reads").isGreaterThanOrEqualTo(ROUNDS);
            }
        }
    }

    /**
     * Bootstrapped as a plain Java application would, handing Hibernate the data source object
     * under {@code hibernate.connection.datasource}: Hibernate 7 deprecates that name in favour of
     * JPA's, but it is the one its native bootstrap reads.
     */
    @SuppressWarnings("deprecation")
    private static SessionFactory sessionFactory(LagwiseDataSource ds) {
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder()
                .applySetting(AvailableSettings.DATASOURCE, ds)
                .applySetting(AvailableSettings.JDBC_TIME_ZONE, "UTC")
                .applySetting(AvailableSettings.HBM2DDL_AUTO, "none")
                .build();
        try {
            return new MetadataSources(registry).addAnnotatedClass(Event.class).buildMetadata().buildSessionFactory();
        } catch (RuntimeException e) {
            StandardServiceRegistryBuilder.destroy(registry);
            throw e;
        }
    }
}
