package io.lagwise.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topology of local {@code mariadbd} processes, made from nothing in a temporary directory.
 *
 * <p>Start-up, in order: one {@code mariadb-install-db} for the master; its fresh data directory is
 * copied for each replica (one install instead of N; MariaDB keeps no server identity in it);
 * all servers start at once; the master gets the application database and users (they replicate);
 * each replica points {@code CHANGE MASTER TO … MASTER_USE_GTID=slave_pos} at a delay proxy in front
 * of the master; then we wait until every replica has applied the master's position. Readiness is
 * a real query in a loop, never a log line.
 */
final class LocalTopology extends AbstractTopology<LocalNode> {

    private static final Logger log = LoggerFactory.getLogger(LocalTopology.class);

    private final Path root;
    private final String replicationPassword;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalTopology(TopologySpec spec, ServerBinaries binaries, String version, Path root) {
        super(spec);
        this.root = root;
        this.serverDescription = version + " (" + binaries.source() + ")";
        this.replicationPassword = Topologies.randomSecret(24);
        AbstractNode.Credentials credentials = new AbstractNode.Credentials(spec.database(), spec.username(),
                spec.password(), "root", "");
        this.master = new LocalNode("master", TopologyNode.Role.MASTER, "master", 1, Dialect.MARIADB, true, credentials,
                binaries.mariadbd(), binaries.baseDirectory(), root.resolve("master"), spec.masterPort(), Duration.ZERO, spec.masterClientDelay());
        nodes.add(master);
        int id = 2;
        for (TopologySpec.ReplicaSpec r : spec.replicas()) {
            LocalNode node = new LocalNode(r.name(), TopologyNode.Role.REPLICA, r.region(), id++, Dialect.MARIADB, true,
                    credentials, binaries.mariadbd(), binaries.baseDirectory(), root.resolve(r.name()), 0, spec.replicationDelay(), r.clientDelay());
            replicas.add(node);
            nodes.add(node);
        }
        this.shutdownHook = new Thread(this::close, "lagwise-topology-shutdown");
    }

    static LocalTopology start(TopologySpec spec) {
        if (spec.mysqlBinaries() != null) {
            throw new TopologyException("mysqlBinaries(...) names a MySQL build and applies to " + TopologyBackend.MYSQL_PROCESSES + " only; " + TopologyBackend.LOCAL_PROCESSES + " runs MariaDB: set serverBinaries(...) instead");
        }
        long begin = System.nanoTime();
        long deadline = begin + spec.startTimeout().toNanos();
        ServerBinaries binaries = spec.binaries() != null ? spec.binaries() : ServerBinaries.locate();
        String version = binaries.version();
        Path base = spec.baseDirectory() != null ? spec.baseDirectory() : Path.of(System.getProperty("java.io.tmpdir"));
        Path root;
        try {
            root = Files.createTempDirectory(base, "lw-");
        } catch (IOException e) {
            throw new TopologyException("cannot make a temporary directory under " + base + ": " + e.getMessage(), e);
        }
        LocalTopology topology = new LocalTopology(spec, binaries, version, root);
        Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
        try {
            topology.boot(binaries, deadline);
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
        topology.startupTime = Duration.ofNanos(System.nanoTime() - begin);
        log.info("replication topology up in {} ms: {} with {} replica(s), {}", topology.startupTime.toMillis(),
                topology.master, topology.replicas.size(), topology.serverDescription);
        return topology;
    }

    private void boot(ServerBinaries binaries, long deadline) {
        install(binaries, master.dataDirectory());
        for (LocalNode replica : replicas) {
            copyTree(master.dataDirectory(), replica.dataDirectory());
        }
        Topologies.parallel(nodes, n -> ((LocalNode) n).start(deadline));
        createUsers();
        try {
            master.openClientProxy();
            for (LocalNode replica : replicas) {
                replica.replicationProxy = new DelayProxy(replica.name + "-replication",
                        new InetSocketAddress("127.0.0.1", master.directPort()), spec.replicationDelay());
                replica.openClientProxy();
            }
        } catch (IOException e) {
            throw new TopologyException("cannot open a delay proxy on loopback: " + e.getMessage(), e);
        }
        Topologies.parallel(replicas, this::startReplication);
        awaitReplication(Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime())));
    }

    private static void install(ServerBinaries binaries, Path dataDir) {
        Path nodeDir = dataDir.getParent();
        Path tmp = nodeDir.resolve("tmp");
        Path out = nodeDir.resolve("install.log");
        List<String> command = new ArrayList<>(List.of(binaries.installDb().toString(), "--no-defaults",
                "--basedir=" + binaries.baseDirectory(), "--datadir=" + dataDir, "--tmpdir=" + tmp,
                "--auth-root-authentication-method=normal", "--skip-test-db",
                "--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"));
        if (LocalNode.isRoot()) {
            command.add("--user=root");
        }
        try {
            Files.createDirectories(tmp);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TopologyException(binaries.installDb() + " did not finish in 120 s:\n" + ServerBinaries.tail(out, 25));
            }
            if (p.exitValue() != 0) {
                throw new TopologyException(binaries.installDb() + " failed with exit code " + p.exitValue() + " (from " + binaries.source() + "):\n" + ServerBinaries.tail(out, 25));
            }
        } catch (IOException e) {
            throw new TopologyException("cannot run " + binaries.installDb() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while installing a data directory", e);
        }
    }

    private void createUsers() {
        master.execAdminWithSecrets("create the application database and users on",
                Topologies.userStatements(Dialect.MARIADB, spec, replicationPassword), spec.password(), replicationPassword);
    }

    private void startReplication(TopologyNode node) {
        LocalNode replica = (LocalNode) node;
        String change = "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + replica.replicationProxy.port()
                + ", MASTER_USER=" + Topologies.quote(Topologies.REPLICATION_USER)
                + ", MASTER_PASSWORD=" + Topologies.quote(replicationPassword)
                + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1";
        replica.execAdminWithSecrets("point replication at the master on", List.of(change, "START SLAVE"),
                replicationPassword);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TopologyNode n : nodes) {
            ((LocalNode) n).closeProxies();
            ((LocalNode) n).destroy();
            ((LocalNode) n).releasePort();
        }
        deleteRecursively(root);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    @Override
    public String toString() {
        return "LocalTopology[" + nodes + ", " + serverDescription + "]";
    }

    static void copyTree(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new TopologyException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
