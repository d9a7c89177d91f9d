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
import java.util.function.Consumer;
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
        /**
         * Spring's LazyConnectionDataSourceProxy with a read-only DataSource (the replicas in turn):
         * reads by {@code setReadOnly(true)}; in read-only transactions, an AbstractRoutingDataSource
         * keyed on the transaction's read-only flag.
         */
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
            case RAW_MASTER -> new Pooled(kind.label(), hikari(kind.name(), topology.master().jdbcUrl(JdbcDriver.MARIADB),
                    topology, poolSize), false, false);
            case MARIADB_REPLICATION -> new Pooled(kind.label(), hikari(kind.name(), multiHost("jdbc:mariadb:replication://",
                    topology, JdbcDriver.MARIADB), topology, poolSize), true, true);
            case MYSQL_REPLICATION -> new Pooled(kind.label(), hikari(kind.name(), multiHost("jdbc:mysql:replication://",
                    topology, JdbcDriver.MYSQL), topology, poolSize), true, true);
            case SPRING_ROUTING -> new SpringRouting(topology, poolSize);
            case LAGWISE_GTID -> lagwise(kind.label(), topology, poolSize, JdbcDriver.MARIADB,
                    topology.replicas().get(0).region(), b -> b.readYourWrites(ReadYourWritesMode.GTID)
                            .readYourWritesMaxWait(Duration.ofMillis(50)));
            case LAGWISE_GTID_NO_WAIT -> lagwise(kind.label(), topology, poolSize, JdbcDriver.MARIADB,
                    topology.replicas().get(0).region(), b -> b.readYourWrites(ReadYourWritesMode.GTID)
                            .readYourWritesMaxWait(Duration.ZERO));
            case LAGWISE_PIN -> lagwise(kind.label(), topology, poolSize, JdbcDriver.MARIADB,
                    topology.replicas().get(0).region(), b -> b.readYourWrites(ReadYourWritesMode.PIN)
                            .readYourWritesMaxWait(Duration.ofMillis(50)));
        };
    }

    /**
     * Lagwise over every node of {@code topology} through {@code driver}, reads preferring
     * {@code localRegion}, with {@code settings} applied on top (nothing else differs from the defaults
     * but the pool size).
     *
     * @throws SQLException if it cannot start
     */
    public static Contender lagwise(String name, ReplicationTopology topology, int poolSize, JdbcDriver driver,
            String localRegion, Consumer<LagwiseDataSource.Builder> settings) throws SQLException {
        return new Lagwise(name, topology, topology.replicas(), poolSize, driver, localRegion, settings);
    }

    /** As above, over the master and {@code replicas} only. */
    public static Contender lagwise(String name, ReplicationTopology topology, List<TopologyNode> replicas, int poolSize,
            JdbcDriver driver, String localRegion, Consumer<LagwiseDataSource.Builder> settings) throws SQLException {
        return new Lagwise(name, topology, replicas, poolSize, driver, localRegion, settings);
    }

    /**
     * HikariCP on one server through {@code driver}, reads and writes alike: the master only, or one
     * replica (reads only, then).
     */
    public static Contender pool(String name, TopologyNode node, ReplicationTopology topology, int poolSize,
            JdbcDriver driver) {
        return new Pooled(name, hikari(poolName(name), node.jdbcUrl(driver), topology, poolSize), false,
                node.role() == TopologyNode.Role.REPLICA);
    }

    /**
     * HikariCP on each of {@code replicas}, reads taking them in turn: what spreading reads costs the
     * machine, without any routing (writes are refused).
     */
    public static Contender inTurn(String name, List<TopologyNode> replicas, ReplicationTopology topology, int poolSize) {
        List<HikariDataSource> pools = new ArrayList<>();
        for (TopologyNode r : replicas) {
            pools.add(hikari(poolName(name) + "-" + r.name(), r.jdbcUrl(JdbcDriver.MARIADB), topology, poolSize));
        }
        AtomicInteger next = new AtomicInteger();
        return new Contender() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean readsReplicas() {
                return true;
            }

            @Override
            public <T> T read(Work<T> work) throws SQLException {
                try (Connection c = pools.get(Math.floorMod(next.getAndIncrement(), pools.size())).getConnection()) {
                    return work.run(c);
                }
            }

            @Override
            public <T> T write(Work<T> work) throws SQLException {
                throw new SQLException(name + " reads only");
            }

            @Override
            public void close() {
                pools.forEach(HikariDataSource::close);
            }
        };
    }

    /** A name fit for a pool or a data source: letters, digits and single dashes. */
    private static String poolName(String label) {
        return label.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "").toLowerCase(java.util.Locale.ROOT);
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
        private final String name;
        private final HikariDataSource pool;
        private final boolean readOnlyReads;
        private final boolean replicas;

        Pooled(String name, HikariDataSource pool, boolean readOnlyReads, boolean replicas) {
            this.name = name;
            this.pool = pool;
            this.readOnlyReads = readOnlyReads;
            this.replicas = replicas;
        }

        @Override
        public String name() {
            return name;
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
     * The patterns Spring teams hand-roll, over one HikariCP pool per server. Plain: a
     * LazyConnectionDataSourceProxy on the master with a read-only DataSource that takes the replicas
     * in turn, reads by {@code setReadOnly(true)} before the first statement, no transaction. In
     * read-only transactions ({@link #inReadOnlyTransactions()}): an AbstractRoutingDataSource keyed on
     * the current transaction's read-only flag, behind a LazyConnectionDataSourceProxy so the key is
     * read at the first statement, with Spring's transaction templates around each read and write.
     */
    private static final class SpringRouting implements Contender {
        private final List<HikariDataSource> pools = new ArrayList<>();
        private final LazyConnectionDataSourceProxy plain;
        private final DataSource routed;
        private final TransactionTemplate reads;
        private final TransactionTemplate writes;

        SpringRouting(ReplicationTopology topology, int poolSize) {
            HikariDataSource master = hikari("spring-master", topology.master().jdbcUrl(JdbcDriver.MARIADB), topology,
                    poolSize);
            pools.add(master);
            Map<Object, Object> targets = new HashMap<>();
            Map<Object, Object> replicaTargets = new HashMap<>();
            targets.put("master", master);
            List<String> replicaKeys = new ArrayList<>();
            for (TopologyNode r : topology.replicas()) {
                HikariDataSource p = hikari("spring-" + r.name(), r.jdbcUrl(JdbcDriver.MARIADB), topology, poolSize);
                pools.add(p);
                targets.put(r.name(), p);
                replicaTargets.put(r.name(), p);
                replicaKeys.add(r.name());
            }
            AtomicInteger next = new AtomicInteger();
            AbstractRoutingDataSource byTransaction = new AbstractRoutingDataSource() {
                @Override
                protected Object determineCurrentLookupKey() {
                    return TransactionSynchronizationManager.isCurrentTransactionReadOnly()
                            ? replicaKeys.get(Math.floorMod(next.getAndIncrement(), replicaKeys.size())) : "master";
                }
            };
            byTransaction.setTargetDataSources(targets);
            byTransaction.setDefaultTargetDataSource(master);
            byTransaction.afterPropertiesSet();
            this.routed = new LazyConnectionDataSourceProxy(byTransaction);
            DataSourceTransactionManager tm = new DataSourceTransactionManager(routed);
            this.reads = new TransactionTemplate(tm);
            reads.setReadOnly(true);
            reads.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
            this.writes = new TransactionTemplate(tm);
            AbstractRoutingDataSource replicas = new AbstractRoutingDataSource() {
                @Override
                protected Object determineCurrentLookupKey() {
                    return replicaKeys.get(Math.floorMod(next.getAndIncrement(), replicaKeys.size()));
                }
            };
            replicas.setTargetDataSources(replicaTargets);
            replicas.afterPropertiesSet();
            this.plain = new LazyConnectionDataSourceProxy(master);
            plain.setReadOnlyDataSource(replicas);
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
            try (Connection c = plain.getConnection()) {
                c.setReadOnly(true); // before the first statement: the proxy takes a replica's connection
                return work.run(c);
            }
        }

        @Override
        public <T> T write(Work<T> work) throws SQLException {
            try (Connection c = plain.getConnection()) {
                return work.run(c);
            }
        }

        @Override
        public Contender inReadOnlyTransactions() {
            SpringRouting outer = this;
            return new Contender() {
                @Override
                public String name() {
                    return outer.name();
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

                @Override
                public void close() {
                    // the outer contender owns the pools
                }
            };
        }

        private <T> T run(TransactionTemplate template, Work<T> work) throws SQLException {
            try {
                return template.execute(status -> {
                    Connection c = DataSourceUtils.getConnection(routed);
                    try {
                        return work.run(c);
                    } catch (SQLException e) {
                        throw new Wrapped(e);
                    } finally {
                        DataSourceUtils.releaseConnection(c, routed);
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
        private final String name;
        private final LagwiseDataSource ds;

        Lagwise(String name, ReplicationTopology topology, List<TopologyNode> replicas, int poolSize, JdbcDriver driver,
                String localRegion, Consumer<LagwiseDataSource.Builder> settings) throws SQLException {
            this.name = name;
            LagwiseDataSource.Builder b = LagwiseDataSource.builder().name(poolName(name))
                    .master(topology.master().jdbcUrl(driver))
                    .username(topology.username()).password(topology.password())
                    .localRegion(localRegion)
                    .pool(p -> p.maximumPoolSize(poolSize).minimumIdle(poolSize));
            replicas.forEach(r -> b.replica(r.jdbcUrl(driver), r.region()));
            settings.accept(b);
            this.ds = b.build();
        }

        @Override
        public String name() {
            return name;
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
        public String routing() {
            StringBuilder nodes = new StringBuilder();
            ds.cluster().nodes().forEach(n -> nodes.append(' ').append(n.name()).append(" lag=")
                    .append(n.lag().map(d -> d.toNanos() / 1e6 + "ms").orElse("-")).append(" rtt=")
                    .append(n.roundTrip().map(d -> d.toNanos() / 1e6 + "ms").orElse("-")));
            return ds.routingStats() + nodes.toString();
        }

        @Override
        public void close() {
            ds.close();
        }
    }

    /** See {@link Contender#inReadOnlyTransactions()}: plain JDBC transactions around each read. */
    static final class ReadOnlyTransactions implements Contender {
        private final Contender plain;

        ReadOnlyTransactions(Contender plain) {
            this.plain = plain;
        }

        @Override
        public String name() {
            return plain.name();
        }

        @Override
        public boolean readsReplicas() {
            return plain.readsReplicas();
        }

        @Override
        public <T> T read(Work<T> work) throws SQLException {
            return plain.read(c -> {
                c.setReadOnly(true);
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                    c.setReadOnly(false);
                }
            });
        }

        @Override
        public <T> T write(Work<T> work) throws SQLException {
            return plain.write(work);
        }

        @Override
        public Contender inReadOnlyTransactions() {
            return this;
        }

        @Override
        public void close() {
            // the plain contender owns the pools
        }
    }
}
