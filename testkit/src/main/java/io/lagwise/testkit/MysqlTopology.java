package io.lagwise.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topology of local Oracle MySQL {@code mysqld} processes, {@link TopologyBackend#MYSQL_PROCESSES}:
 * the same shape, proxies and controls as {@link LocalTopology}, with MySQL's replication.
 *
 * <p>Start-up, in order: a fresh data directory, made once per machine with {@code mysqld
 * --initialize-insecure} (its own {@code --tmpdir}) and kept without {@code auto.cnf} in the cache
 * directory, is copied for each node, so each server makes its own {@code server_uuid}; all servers
 * start at once with GTIDs on; the master gets the
 * application database and users (they replicate); each replica points {@code CHANGE REPLICATION
 * SOURCE TO … SOURCE_AUTO_POSITION=1} at a delay proxy in front of the master; then we wait until
 * every replica has applied the master's {@code @@gtid_executed}.
 *
 * <p>Built with {@code gtids(false)}, the servers run with {@code --gtid-mode=OFF} and replicate by
 * binary log file and position, as MySQL 5.6 and servers without GTIDs do: each replica starts at
 * offset 4 of the master's first binary log ({@code SOURCE_LOG_FILE}/{@code SOURCE_LOG_POS}), so it
 * replays the master's whole history, the application database and users included, just as an
 * auto-positioned one does; then we wait until every replica has applied the master's binary log
 * up to where {@code SHOW MASTER STATUS} says it ends.
 *
 * <p>The application user keeps MySQL 8's default {@code caching_sha2_password}, as real MySQL 8
 * users do: over plain TCP a client needs the server's RSA key, so the URLs the nodes hand out carry
 * {@code allowPublicKeyRetrieval=true}; the replication user gets the key with
 * {@code GET_SOURCE_PUBLIC_KEY=1}.
 */
final class MysqlTopology extends AbstractTopology<LocalNode> {

    private static final Logger log = LoggerFactory.getLogger(MysqlTopology.class);

    private final Path root;
    private final String replicationPassword;
    /** Where replicas without GTIDs start: the master's first binary log, set once the master runs. */
    private String firstBinlog;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private MysqlTopology(TopologySpec spec, MysqlBinaries binaries, String version, Path root) {
        super(spec);
        this.root = root;
        this.serverDescription = version + " (" + binaries.source() + ")";
        this.replicationPassword = Topologies.randomSecret(24);
        AbstractNode.Credentials credentials = new AbstractNode.Credentials(spec.database(), spec.username(),
                spec.password(), "root", "");
        this.master = new LocalNode("master", TopologyNode.Role.MASTER, "master", 1, Dialect.MYSQL, spec.gtids(), credentials,
                binaries.mysqld(), binaries.baseDirectory(), root.resolve("master"), spec.masterPort(), Duration.ZERO, spec.masterClientDelay());
        nodes.add(master);
        int id = 2;
        for (TopologySpec.ReplicaSpec r : spec.replicas()) {
            LocalNode node = new LocalNode(r.name(), TopologyNode.Role.REPLICA, r.region(), id++, Dialect.MYSQL,
                    spec.gtids(), credentials, binaries.mysqld(), binaries.baseDirectory(), root.resolve(r.name()), 0,
                    spec.replicationDelay(), r.clientDelay());
            replicas.add(node);
            nodes.add(node);
        }
        this.shutdownHook = new Thread(this::close, "lagwise-topology-shutdown");
    }

    static MysqlTopology start(TopologySpec spec) {
        if (spec.binaries() != null) {
            throw new IllegalStateException("serverBinaries(...) names MariaDB binaries and applies to LOCAL_PROCESSES only; the MYSQL_PROCESSES backend finds mysqld with MysqlBinaries.locate() (-D" + MysqlBinaries.DIRECTORY_PROPERTY + ")");
        }
        long begin = System.nanoTime();
        long deadline = begin + spec.startTimeout().toNanos();
        MysqlBinaries binaries = spec.mysqlBinaries() != null ? spec.mysqlBinaries() : MysqlBinaries.locate();
        String version = binaries.version();
        Path base = spec.baseDirectory() != null ? spec.baseDirectory() : Path.of(System.getProperty("java.io.tmpdir"));
        Path root;
        try {
            root = Files.createTempDirectory(base, "lwmy-");
        } catch (IOException e) {
            throw new TopologyException("cannot make a temporary directory under " + base + ": " + e.getMessage(), e);
        }
        MysqlTopology topology = new MysqlTopology(spec, binaries, version, root);
        Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
        try {
            topology.boot(binaries, version, deadline);
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
        topology.startupTime = Duration.ofNanos(System.nanoTime() - begin);
        log.info("MySQL replication topology up in {} ms: {} with {} replica(s), {}, {}", topology.startupTime.toMillis(),
                topology.master, topology.replicas.size(), spec.gtids() ? "GTID auto-positioning"
                        : "no GTIDs (binary log file and position from " + topology.firstBinlog + ")", topology.serverDescription);
        return topology;
    }

    private void boot(MysqlBinaries binaries, String version, long deadline) {
        long t0 = System.nanoTime();
        Path template = dataTemplate(binaries, version, root);
        long t1 = System.nanoTime();
        for (TopologyNode n : nodes) {
            LocalTopology.copyTree(template, ((LocalNode) n).dataDirectory());
        }
        long t2 = System.nanoTime();
        Topologies.parallel(nodes, n -> ((LocalNode) n).start(deadline));
        long t3 = System.nanoTime();
        master.execAdminWithSecrets("create the application database and users on",
                Topologies.userStatements(Dialect.MYSQL, spec, replicationPassword, false), spec.password(),
                replicationPassword);
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
        if (!spec.gtids()) {
            firstBinlog = firstBinlog();
        }
        Topologies.parallel(replicas, this::startReplication);
        awaitReplication(Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime())));
        log.info("MySQL start-up: data directory template {} ms, copies {} ms, servers {} ms, users and replication {} ms",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (System.nanoTime() - t3) / 1_000_000);
    }

    /**
     * A fresh data directory for this MySQL build, made once per machine in the cache directory and
     * copied for every node: {@code --initialize-insecure} takes 4–8 s on two cores, a copy 0.1 s. It
     * holds no {@code auto.cnf}, so each server makes its own {@code server_uuid} at its first start
     * (equal UUIDs stop replication). Made in a staging directory and moved into place, so concurrent
     * JVMs never copy half of one.
     */
    private static Path dataTemplate(MysqlBinaries binaries, String version, Path root) {
        String key = Integer.toHexString((binaries.mysqld() + "|" + version).hashCode());
        Path template = ServerBinaries.cacheDirectory().resolve("mysql-datadir-" + key);
        if (Files.isDirectory(template.resolve("mysql"))) {
            return template;
        }
        Path staging = root.resolve("initialize");
        Path data = staging.resolve("data");
        initialize(binaries, data);
        try {
            Files.delete(data.resolve("auto.cnf"));
            Files.createDirectories(template.getParent());
            Path moving = Files.createTempDirectory(template.getParent(), template.getFileName() + ".staging-");
            LocalTopology.copyTree(data, moving);
            try {
                Files.move(moving, template, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another JVM made it first, or this file system cannot move atomically: use ours this once.
                LocalTopology.deleteRecursively(moving);
                if (!Files.isDirectory(template.resolve("mysql"))) {
                    return data;
                }
            }
            LocalTopology.deleteRecursively(staging);
            return template;
        } catch (IOException e) {
            throw new TopologyException("cannot keep the initialized MySQL data directory in " + template + ": " + e.getMessage(), e);
        }
    }

    private static void initialize(MysqlBinaries binaries, Path dataDir) {
        Path nodeDir = dataDir.getParent();
        Path tmp = nodeDir.resolve("tmp");
        Path out = nodeDir.resolve("initialize.log");
        List<String> command = new ArrayList<>(List.of(binaries.mysqld().toString(), "--no-defaults",
                "--initialize-insecure", "--basedir=" + binaries.baseDirectory(), "--datadir=" + dataDir,
                "--tmpdir=" + tmp, "--log-error=" + out, "--innodb-buffer-pool-size=32M"));
        if (LocalNode.isRoot()) {
            command.add("--user=root");
        }
        try {
            Files.createDirectories(tmp);
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TopologyException(binaries.mysqld() + " --initialize-insecure did not finish in 120 s:\n" + ServerBinaries.tail(out, 25));
            }
            if (p.exitValue() != 0) {
                throw new TopologyException(binaries.mysqld() + " --initialize-insecure failed with exit code " + p.exitValue() + " (from " + binaries.source() + "):\n" + ServerBinaries.tail(out, 25));
            }
        } catch (IOException e) {
            throw new TopologyException("cannot run " + binaries.mysqld() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while initializing a data directory", e);
        }
    }

    /**
     * The master's first binary log, from {@code SHOW BINARY LOGS}: the one its first start opened,
     * which holds the application database and users.
     */
    private String firstBinlog() {
        try (Connection c = master.connectAdmin(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
            if (!rs.next()) {
                throw new TopologyException("the master writes no binary log: SHOW BINARY LOGS returned no row");
            }
            return rs.getString("Log_name");
        } catch (SQLException e) {
            throw master.failed("list the binary logs of", e);
        }
    }

    private void startReplication(TopologyNode node) {
        LocalNode replica = (LocalNode) node;
        // Without GTIDs: from the very start of the master's history, offset 4 being the first event
        // after the file's magic number.
        String position = spec.gtids() ? "SOURCE_AUTO_POSITION=1"
                : "SOURCE_LOG_FILE=" + Topologies.quote(firstBinlog) + ", SOURCE_LOG_POS=4";
        String change = "CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=" + replica.replicationProxy.port()
                + ", SOURCE_USER=" + Topologies.quote(Topologies.REPLICATION_USER)
                + ", SOURCE_PASSWORD=" + Topologies.quote(replicationPassword)
                + ", " + position + ", GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1, SOURCE_HEARTBEAT_PERIOD=1";
        replica.execAdminWithSecrets("point replication at the master on", List.of(change, "START REPLICA"),
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
        LocalTopology.deleteRecursively(root);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    @Override
    public String toString() {
        return "MysqlTopology[" + nodes + ", " + serverDescription + "]";
    }
}
