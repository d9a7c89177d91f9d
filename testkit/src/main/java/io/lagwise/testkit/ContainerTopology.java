package io.lagwise.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A topology of MariaDB or MySQL containers, the same shape as {@link LocalTopology}: master
 * {@code server_id} 1, replicas 2…N, GTID replication, the same application database and users.
 *
 * <p>Lag is injected in this JVM, not in Docker: each replica replicates from a {@link DelayProxy}
 * listening on the host, which forwards to the master's mapped port. A container reaches a host
 * port only through Testcontainers' port forwarding ({@link Testcontainers#exposeHostPorts}, seen
 * inside as {@code host.testcontainers.internal}), so the replication proxies are opened and exposed
 * before any container starts; they learn the master's address once it runs. A replica given a
 * client delay gets a client proxy in front of its mapped port, as with local processes.
 *
 * <p>Start-up, in order: proxies, all containers at once (each waits for a real query, timed from
 * when its container runs, so a first image pull does not count), fresh binary logs on every node
 * (the image's init must leave no GTID behind, or strict GTID mode stops the replicas), the
 * application database and users on the master, replication on each replica, then a wait until
 * every replica has applied the master's position.
 *
 * <p>Every Testcontainers type is named here and in {@link ContainerNode} only; {@link ContainerSupport}
 * reaches this class after checking that Testcontainers is present.
 */
final class ContainerTopology extends AbstractTopology<ContainerNode> {

    private static final Logger log = LoggerFactory.getLogger(ContainerTopology.class);

    /** Not with containers: their replication runs through proxies on the master's side. */
    @Override
    public void promote(TopologyNode replica) {
        throw new UnsupportedOperationException("promote() needs the local backend (server processes); the container backend routes replication through the master's container");
    }
    private static final String ADMIN_USER = "root";
    /** How a container reaches a port exposed from this host; {@link GenericContainer#INTERNAL_HOST_HOSTNAME}. */
    private static final String HOST_FROM_CONTAINER = GenericContainer.INTERNAL_HOST_HOSTNAME;
    /** A proxy's target until its server runs: connections to it fail at once. */
    private static final InetSocketAddress NOT_STARTED = InetSocketAddress.createUnresolved("not-started", 3306);

    private final Dialect dialect;
    private final String image;
    private final String rootPassword = Topologies.randomSecret(24);
    private final String replicationPassword = Topologies.randomSecret(24);
    private final Thread shutdownHook;
    private volatile boolean closed;

    private ContainerTopology(TopologySpec spec) {
        super(spec);
        this.dialect = spec.backend() == TopologyBackend.MYSQL_CONTAINERS ? Dialect.MYSQL : Dialect.MARIADB;
        this.image = spec.containerImage() != null ? spec.containerImage()
                : dialect == Dialect.MYSQL ? "mysql:8.4" : "mariadb:11.4";
        this.serverDescription = (dialect == Dialect.MYSQL ? "MySQL" : "MariaDB") + " (container " + image + ")";
        AbstractNode.Credentials credentials = new AbstractNode.Credentials(spec.database(), spec.username(),
                spec.password(), ADMIN_USER, rootPassword);
        this.master = new ContainerNode("master", TopologyNode.Role.MASTER, "master", 1, dialect, credentials,
                container(1, TopologyNode.Role.MASTER), image, Duration.ZERO, spec.masterClientDelay());
        nodes.add(master);
        int id = 2;
        for (TopologySpec.ReplicaSpec r : spec.replicas()) {
            ContainerNode node = new ContainerNode(r.name(), TopologyNode.Role.REPLICA, r.region(), id,
                    dialect, credentials, container(id, TopologyNode.Role.REPLICA), image, spec.replicationDelay(),
                    r.clientDelay());
            id++;
            replicas.add(node);
            nodes.add(node);
        }
        this.shutdownHook = new Thread(this::close, "lagwise-topology-shutdown");
    }

    /** Whether Testcontainers finds a Docker engine; slow the first time, and logs why not. */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    static ReplicationTopology start(TopologySpec spec) {
        if (spec.masterPort() != 0) {
            throw new TopologyException("masterPort applies to " + TopologyBackend.LOCAL_PROCESSES + " only: a " + spec.backend() + " master gets the port Docker maps; leave masterPort unset");
        }
        if (spec.binaries() != null) {
            throw new TopologyException("serverBinaries applies to " + TopologyBackend.LOCAL_PROCESSES + " only: " + spec.backend() + " runs the container image; set containerImage instead");
        }
        if (spec.mysqlBinaries() != null) {
            throw new TopologyException("mysqlBinaries applies to " + TopologyBackend.MYSQL_PROCESSES + " only: " + spec.backend() + " runs the container image; set containerImage instead");
        }
        long begin = System.nanoTime();
        ContainerTopology topology = new ContainerTopology(spec);
        Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
        try {
            topology.boot();
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
        topology.startupTime = Duration.ofNanos(System.nanoTime() - begin);
        log.info("replication topology up in {} ms: {} with {} replica(s), {}", topology.startupTime.toMillis(),
                topology.master, topology.replicas.size(), topology.serverDescription);
        return topology;
    }

    private void boot() {
        openReplicationProxies();
        Topologies.parallel(nodes, n -> ((ContainerNode) n).start(spec.startTimeout()));
        if (master.builtClientDelay != null) {
            master.clientProxy = proxy("master-client", master.builtClientDelay);
            master.routeThrough(master.clientProxy);
        }
        for (ContainerNode replica : replicas) {
            master.routeThrough(replica.replicationProxy);
            if (replica.builtClientDelay != null) {
                replica.clientProxy = proxy(replica.name + "-client", replica.builtClientDelay);
                replica.routeThrough(replica.clientProxy);
            }
        }
        String version = serverVersion();
        serverDescription = (dialect == Dialect.MYSQL ? "MySQL " : "MariaDB ") + version + " (container " + image + ")";
        String resetBinlogs = dialect == Dialect.MARIADB ? "RESET MASTER"
                : version.startsWith("8.0.") ? "RESET MASTER" : "RESET BINARY LOGS AND GTIDS";
        Topologies.parallel(nodes, n -> ((ContainerNode) n).execAdmin(resetBinlogs));
        createUsers();
        Topologies.parallel(replicas, this::startReplication);
        awaitReplication(spec.startTimeout());
    }

    /**
     * Opens each replica's replication proxy and exposes its port to containers. This must come
     * before the replicas start: Testcontainers gives a container the {@code host.testcontainers.internal}
     * name only when port forwarding is already running.
     */
    private void openReplicationProxies() {
        if (replicas.isEmpty()) {
            return;
        }
        int[] ports = new int[replicas.size()];
        for (int i = 0; i < replicas.size(); i++) {
            ContainerNode replica = replicas.get(i);
            replica.replicationProxy = proxy(replica.name + "-replication", spec.replicationDelay());
            ports[i] = replica.replicationProxy.port();
        }
        try {
            Testcontainers.exposeHostPorts(ports);
        } catch (RuntimeException e) {
            throw new TopologyException("cannot expose the replication proxies (host ports " + Arrays.toString(ports) + ") to containers through Testcontainers' port forwarding: " + e.getMessage(), e);
        }
    }

    private static DelayProxy proxy(String name, Duration delay) {
        try {
            return new DelayProxy(name, NOT_STARTED, delay);
        } catch (IOException e) {
            throw new TopologyException("cannot open the delay proxy " + name + " on loopback: " + e.getMessage(), e);
        }
    }

    /** The container for one server: the image's entrypoint initialises it, our arguments shape it. */
    private GenericContainer<?> container(int serverId, TopologyNode.Role role) {
        DockerImageName imageName;
        try {
            imageName = DockerImageName.parse(image);
        } catch (IllegalArgumentException e) {
            throw new TopologyException("containerImage is not a Docker image name: '" + image + "' (" + e.getMessage() + ")", e);
        }
        GenericContainer<?> container = new GenericContainer<>(imageName);
        container.withExposedPorts(ContainerNode.SERVER_PORT);
        container.withCommand(serverArguments(serverId, role).toArray(new String[0]));
        // ContainerNode waits with a real query; the default wait only checks that a port listens.
        container.waitingFor(new AbstractWaitStrategy() {
            @Override
            protected void waitUntilReady() {
                // nothing: see ContainerNode.start
            }
        });
        if (dialect == Dialect.MARIADB) {
            container.withEnv("MARIADB_ROOT_PASSWORD", rootPassword);
            container.withEnv("MARIADB_INITDB_SKIP_TZINFO", "1");
        } else {
            container.withEnv("MYSQL_ROOT_PASSWORD", rootPassword);
            container.withEnv("MYSQL_INITDB_SKIP_TZINFO", "1");
            // MySQL 8.4 creates root with caching_sha2_password, which MariaDB Connector/J cannot
            // use without TLS or public key retrieval; the entrypoint runs this before first start.
            container.withCopyToContainer(Transferable.of("SET SESSION sql_log_bin = 0;\n"
                    + "ALTER USER '" + ADMIN_USER + "'@'%' IDENTIFIED WITH mysql_native_password BY "
                    + Topologies.quote(rootPassword) + ";\n"), "/docker-entrypoint-initdb.d/00-lagwise-admin.sql");
        }
        if (role == TopologyNode.Role.REPLICA) {
            container.withAccessToHost(true);
        }
        return container;
    }

    private List<String> serverArguments(int serverId, TopologyNode.Role role) {
        boolean replica = role == TopologyNode.Role.REPLICA;
        List<String> args = new ArrayList<>(List.of(
                "--server-id=" + serverId,
                "--log-bin=mysql-bin",
                "--relay-log=relay-bin",
                "--skip-name-resolve",
                "--character-set-server=utf8mb4",
                "--innodb-buffer-pool-size=32M",
                "--innodb-flush-log-at-trx-commit=2",
                "--sync-binlog=0",
                "--max-connections=300"));
        if (dialect == Dialect.MARIADB) {
            args.addAll(List.of(
                    "--binlog-format=ROW",
                    "--log-slave-updates=1",
                    "--gtid-strict-mode=1",
                    "--collation-server=utf8mb4_general_ci",
                    "--read-only=" + (replica ? 1 : 0)));
        } else {
            args.addAll(List.of(
                    "--gtid-mode=ON",
                    "--enforce-gtid-consistency=ON",
                    "--log-replica-updates",
                    // for the application user and root, see container(); "loose" so 8.0 images start too
                    "--loose-mysql-native-password=ON",
                    "--read-only=" + (replica ? "ON" : "OFF")));
            if (replica) {
                args.add("--relay-log-recovery=ON"); // a killed replica refetches rather than trusts its relay log
            }
        }
        return args;
    }

    private String serverVersion() {
        try (Connection c = master.connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            String version = rs.getString(1);
            int dash = version.indexOf('-');
            return dash > 0 ? version.substring(0, dash) : version;
        } catch (SQLException e) {
            throw master.failed("read the server version of", e);
        }
    }

    private void createUsers() {
        master.execAdminWithSecrets("create the application database and users on",
                Topologies.userStatements(dialect, spec, replicationPassword), spec.password(), replicationPassword);
    }

    private void startReplication(TopologyNode node) {
        ContainerNode replica = (ContainerNode) node;
        int port = replica.replicationProxy.port();
        String change = dialect == Dialect.MARIADB
                ? "CHANGE MASTER TO MASTER_HOST=" + Topologies.quote(HOST_FROM_CONTAINER) + ", MASTER_PORT=" + port
                        + ", MASTER_USER=" + Topologies.quote(Topologies.REPLICATION_USER) + ", MASTER_PASSWORD=" + Topologies.quote(replicationPassword)
                        + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1"
                // MySQL gives up reconnecting after 10 tries by default; a killed master may take longer.
                : "CHANGE REPLICATION SOURCE TO SOURCE_HOST=" + Topologies.quote(HOST_FROM_CONTAINER) + ", SOURCE_PORT=" + port
                        + ", SOURCE_USER=" + Topologies.quote(Topologies.REPLICATION_USER) + ", SOURCE_PASSWORD=" + Topologies.quote(replicationPassword)
                        + ", SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=1, SOURCE_RETRY_COUNT=86400,"
                        + " SOURCE_HEARTBEAT_PERIOD=1, GET_SOURCE_PUBLIC_KEY=1";
        replica.execAdminWithSecrets("point replication at the master on", List.of(change, dialect.startReplication()),
                replicationPassword);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TopologyNode n : nodes) {
            ((ContainerNode) n).closeProxies();
        }
        Topologies.parallel(nodes, n -> ((ContainerNode) n).stop());
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    @Override
    public String toString() {
        return "ContainerTopology[" + nodes + ", " + serverDescription + "]";
    }
}
