package io.lagwise.testkit;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** What every backend does alike: waiting for replication and resetting to the built state. */
final class Topologies {

    /** Daemon threads for starting and resetting nodes in parallel; idle threads go after a minute. */
    static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lagwise-topology");
        t.setDaemon(true);
        return t;
    });

    /** The replication account every backend creates on the master. */
    static final String REPLICATION_USER = "lagwise_repl";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private Topologies() {}

    /** A random password of {@code length} letters and digits. */
    static String randomSecret(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** A SQL string literal. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * The statements that create the application database, the application user (with an
     * explicit privilege list: GRANT ALL would include READ ONLY ADMIN on MariaDB, letting the
     * application write to a read-only replica and break replication) and the replication user.
     */
    static List<String> userStatements(Dialect dialect, TopologySpec spec, String replicationPassword) {
        // Native passwords on MySQL containers so that both drivers log in without TLS.
        return userStatements(dialect, spec, replicationPassword, dialect == Dialect.MYSQL);
    }

    /**
     * {@link #userStatements(Dialect, TopologySpec, String)}, choosing whether the application user
     * authenticates with {@code mysql_native_password} (MySQL only) or the server's default.
     */
    static List<String> userStatements(Dialect dialect, TopologySpec spec, String replicationPassword,
            boolean nativePassword) {
        String user = quote(spec.username());
        String db = "`" + spec.database() + "`";
        String identified = nativePassword ? " IDENTIFIED WITH mysql_native_password BY " : " IDENTIFIED BY ";
        String monitor = dialect == Dialect.MYSQL ? "REPLICATION CLIENT" : "BINLOG MONITOR, SLAVE MONITOR";
        return List.of(
                "CREATE DATABASE " + db + " CHARACTER SET utf8mb4",
                "CREATE USER " + user + "@'%'" + identified + quote(spec.password()),
                "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES,"
                        + " LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER,"
                        + " EVENT, REFERENCES ON " + db + ".* TO " + user + "@'%'",
                "GRANT " + monitor + ", PROCESS ON *.* TO " + user + "@'%'",
                "CREATE USER " + quote(REPLICATION_USER) + "@'%' IDENTIFIED BY " + quote(replicationPassword),
                "GRANT REPLICATION SLAVE ON *.* TO " + quote(REPLICATION_USER) + "@'%'");
    }

    /**
     * Waits for each running replica to apply what the master has written: its GTID position, or on
     * servers without GTIDs the end of its binary log (file and offset), which a replica replicating
     * by file and position reaches exactly when it has applied everything before it.
     */
    static void awaitReplication(AbstractNode master, List<? extends AbstractNode> replicas, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String gtids = master.gtids ? master.gtidPosition() : null;
        AbstractNode.Coordinates end = master.gtids ? null : master.binlogEnd();
        for (AbstractNode replica : replicas) {
            if (replica.state() != TopologyNode.State.RUNNING || !replica.replicationSwitchedOn()) {
                continue;
            }
            Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
            boolean applied = gtids != null ? replica.awaitPosition(gtids, left) : replica.awaitCoordinates(end, left);
            if (!applied) {
                throw new TopologyException(replica.name() + " has not applied the master's position " + (gtids != null ? gtids : end) + " within " + timeout.toMillis() + " ms; it is at " + replica.appliedPosition() + ", " + replica.replicaStatus());
            }
        }
    }

    static void reset(AbstractNode master, List<? extends AbstractNode> replicas) {
        master.reset();
        parallel(replicas, n -> ((AbstractNode) n).reset());
        awaitReplication(master, replicas, Duration.ofSeconds(30));
    }

    static void parallel(List<? extends TopologyNode> nodes, java.util.function.Consumer<TopologyNode> action) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (TopologyNode n : nodes) {
            futures.add(CompletableFuture.runAsync(() -> action.accept(n), EXECUTOR));
        }
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }
}
