package io.lagwise.benchmarks.contenders;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.ReadYourWritesMode;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The contenders of the comparison, each configured as its documentation suggests, pools of the same size. */
public final class Contenders {

    private Contenders() {}

    /** Which contenders exist, in table order. */
    public enum Kind {
        /** HikariCP on the master only: always consistent, no offload. */
        RAW_MASTER("HikariCP, master only"),
        /** MariaDB Connector/J's replication mode, reads by {@code setReadOnly(true)}. */
        MARIADB_REPLICATION("MariaDB C/J replication"),
        /** MySQL Connector/J's replication connection, reads by {@code setReadOnly(true)}. */
        MYSQL_REPLICATION("MySQL C/J replication"),
        /** Spring's AbstractRoutingDataSource + LazyConnectionDataSourceProxy, keyed on read-only transactions. */
        SPRING_ROUTING("Spring routing DataSource"),
        /** Lagwise, read-your-writes by GTID. */
        LAGWISE_GTID("Lagwise (GTID)"),
        /** Lagwise, read-your-writes by GTID without waiting: a replica that has the write, else the master. */
        LAGWISE_GTID_NO_WAIT("Lagwise (GTID, max-wait 0)"),
        /** Lagwise, read-your-writes by pinning to the master after a write. */
        LAGWISE_PIN("Lagwise (PIN)");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name in tables. */
        public String label() {
            return label;
        }
    }

    /**
     * Starts a contender against {@code topology}, with {@code poolSize} connections per server.
     *
     * @throws SQLException if it cannot start
     */
    public static Contender start(Kind kind, ReplicationTopology topology, int poolSize) throws SQLException {
        return switch (kind) {
            case RAW_MASTER -> new Pooled(kind, hikari(kind.name(), topology.master().jdbcUrl(JdbcDriver.MARIADB),
                    topology, poolSize), false, false);
            case MARIADB_REPLICATION -> new Pooled(kind, hikari(kind.name(), multiHost("jdbc:mariadb:replication://",
                    topology, JdbcDriver.MARIADB), topology, poolSize), true, true);
            case MYSQL_REPLICATION -> new Pooled(kind, hikari(kind.name(), multiHost("jdbc:mysql:replication://",
                    topology, JdbcDriver.MYSQL), topology, poolSize), true, true);
            case SPRING_ROUTING -> new SpringRouting(topology, poolSize);
            case LAGWISE_GTID -> new Lagwise(kind, topology, poolSize, ReadYourWritesMode.GTID, Duration.ofMillis(50));
            case LAGWISE_GTID_NO_WAIT -> new Lagwise(kind, topology, poolSize, ReadYourWritesMode.GTID, Duration.ZERO);
            case LAGWISE_PIN -> new Lagwise(kind, topology, poolSize, ReadYourWritesMode.PIN, Duration.ofMillis(50));
        };
    }

    private static HikariDataSource hikari(String name, String url, ReplicationTopology topology, int poolSize) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setJdbcUrl(url);
        c.setUsername(topology.username());
        c.setPassword(topology.password());
        c.setMaximumPoolSize(poolSize);
        c.setMinimumIdle(poolSize);
        c.setConnectionTimeout(3000);
        return new HikariDataSource(c);
    }

    /** {@code prefix}host:port,host:port,.../database, master first, then the replicas. */
    static String multiHost(String prefix, ReplicationTopology topology, JdbcDriver driver) {
        List<String> hosts = new ArrayList<>();
        String database = null;
        for (TopologyNode n : topology.nodes()) {
            String url = n.jdbcUrl(driver);
            String rest = url.substring(url.indexOf("//") + 2);
            hosts.add(rest.substring(0, rest.indexOf('/')));
            database = rest.substring(rest.indexOf('/'));
        }
        return prefix + String.join(",", hosts) + database;
    }

    /** A HikariCP pool; reads set the connection read-only when the driver routes by that flag. */
    private static final class Pooled implements Contender {
        private final Kind kind;
        private final HikariDataSource pool;
        private final boolean readOnlyReads;
        private final boolean replicas;

        Pooled(Kind kind, HikariDataSource pool, boolean readOnlyReads, boolean replicas) {
            this.kind = kind;
            this.pool = pool;
            this.readOnlyReads = readOnlyReads;
            this.replicas = replicas;
        }

        @Override
        public String name() {
            return kind.label();
        }

        @Override
        public boolean readsReplicas() {
            return replicas;
        }

        @Override
        public <T> T read(Work<T> work) throws SQLException {
            try (Connection c = pool.getConnection()) {
                if (readOnlyReads) {
                    c.setReadOnly(true); // HikariCP puts it back when the connection returns
                }
                return work.run(c);
            }
        }

        @Override
        public <T> T write(Work<T> work) throws SQLException {
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /**
     * The pattern most Spring teams hand-roll: an AbstractRoutingDataSource whose key is the
     * current transaction's read-only flag (replicas taken in turn), behind a
     * LazyConnectionDataSourceProxy so the key is read at the first statement, with Spring's
     * transaction templates around each read and write.
     */
    private static final class SpringRouting implements Contender {
        private final List<HikariDataSource> pools = new ArrayList<>();
        private final DataSource proxy;
        private final TransactionTemplate reads;
        private final TransactionTemplate writes;

        SpringRouting(ReplicationTopology topology, int poolSize) {
            HikariDataSource master = hikari("spring-master", topology.master().jdbcUrl(JdbcDriver.MARIADB), topology,
                    poolSize);
            pools.add(master);
            Map<Object, Object> targets = new HashMap<>();
            targets.put("master", master);
            List<String> replicaKeys = new ArrayList<>();
            for (TopologyNode r : topology.replicas()) {
                HikariDataSource p = hikari("spring-" + r.name(), r.jdbcUrl(JdbcDriver.MARIADB), topology, poolSize);
                pools.add(p);
                targets.put(r.name(), p);
                replicaKeys.add(r.name());
            }
            AtomicInteger next = new AtomicInteger();
            AbstractRoutingDataSource routing = new AbstractRoutingDataSource() {
                @Override
                protected Object determineCurrentLookupKey() {
                    return TransactionSynchronizationManager.isCurrentTransactionReadOnly()
                            ? replicaKeys.get(Math.floorMod(next.getAndIncrement(), replicaKeys.size())) : "master";
                }
            };
            routing.setTargetDataSources(targets);
            routing.setDefaultTargetDataSource(master);
            routing.afterPropertiesSet();
            this.proxy = new LazyConnectionDataSourceProxy(routing);
            DataSourceTransactionManager tm = new DataSourceTransactionManager(proxy);
            this.reads = new TransactionTemplate(tm);
            reads.setReadOnly(true);
            reads.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
            this.writes = new TransactionTemplate(tm);
        }

        @Override
        public String name() {
            return Kind.SPRING_ROUTING.label();
        }

        @Override
        public boolean readsReplicas() {
            return true;
        }

        @Override
        public <T> T read(Work<T> work) throws SQLException {
            return run(reads, work);
        }

        @Override
        public <T> T write(Work<T> work) throws SQLException {
            return run(writes, work);
        }

        private <T> T run(TransactionTemplate template, Work<T> work) throws SQLException {
            try {
                return template.execute(status -> {
                    Connection c = DataSourceUtils.getConnection(proxy);
                    try {
                        return work.run(c);
                    } catch (SQLException e) {
                        throw new Wrapped(e);
                    } finally {
                        DataSourceUtils.releaseConnection(c, proxy);
                    }
                });
            } catch (Wrapped w) {
                throw w.sql;
            } catch (RuntimeException e) {
                throw new SQLException(e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            pools.forEach(HikariDataSource::close);
        }
    }

    private static final class Wrapped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient SQLException sql;

        Wrapped(SQLException sql) {
            super(sql);
            this.sql = sql;
        }
    }

    /** Lagwise as its README shows it: plain JDBC, auto-commit statements routed by what they are. */
    private static final class Lagwise implements Contender {
        private final Kind kind;
        private final LagwiseDataSource ds;

        Lagwise(Kind kind, ReplicationTopology topology, int poolSize, ReadYourWritesMode mode, Duration maxWait)
                throws SQLException {
            this.kind = kind;
            LagwiseDataSource.Builder b = LagwiseDataSource.builder().name(kind.name().toLowerCase())
                    .master(topology.master().jdbcUrl(JdbcDriver.MARIADB))
                    .username(topology.username()).password(topology.password())
                    .localRegion(topology.replicas().get(0).region())
                    .readYourWrites(mode).readYourWritesMaxWait(maxWait)
                    .pool(p -> p.maximumPoolSize(poolSize).minimumIdle(poolSize));
            topology.replicas().forEach(r -> b.replica(r.jdbcUrl(JdbcDriver.MARIADB), r.region()));
            this.ds = b.build();
        }

        @Override
        public String name() {
            return kind.label();
        }

        @Override
        public boolean readsReplicas() {
            return true;
        }

        @Override
        public <T> T read(Work<T> work) throws SQLException {
            try (Connection c = ds.getConnection()) {
                return work.run(c);
            }
        }

        @Override
        public <T> T write(Work<T> work) throws SQLException {
            try (Connection c = ds.getConnection()) {
                return work.run(c);
            }
        }

        @Override
        public void close() {
            ds.close();
        }
    }
}
