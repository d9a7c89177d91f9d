package io.lagwise.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One {@code mariadbd} (or MySQL {@code mysqld}) process with its own data directory, started with
 * {@code --no-defaults} on a loopback port, small buffers so that several fit in a few hundred MB.
 */
final class LocalNode extends AbstractNode {

    private static final int START_ATTEMPTS = 3;

    private final Path server;
    private final Path baseDir;
    private final Path dir;
    private final Path dataDir;
    private final Path tmpDir;
    private final Path errorLog;
    private final Path outputLog;
    private final boolean fixedPort;
    private int port;
    private volatile Process process;

    LocalNode(String name, Role role, String region, int serverId, Dialect dialect, boolean gtids,
            Credentials credentials, Path server, Path baseDir, Path dir, int port, Duration replicationDelay,
            Duration clientDelay) {
        super(name, role, region, serverId, dialect, gtids, credentials, replicationDelay, clientDelay);
        this.server = server;
        this.baseDir = baseDir;
        this.dir = dir;
        this.dataDir = dir.resolve("data");
        this.tmpDir = dir.resolve("tmp");
        this.errorLog = dir.resolve("error.log");
        this.outputLog = dir.resolve(server.getFileName() + ".out");
        this.fixedPort = port != 0;
        this.port = port;
    }

    Path dataDirectory() {
        return dataDir;
    }

    @Override
    String directHost() {
        return "127.0.0.1";
    }

    @Override
    public int directPort() {
        return port;
    }

    /**
     * Starts the process and waits until it answers a query. A free port taken by someone else
     * between our check and the server's bind is retried on another port.
     */
    void start(long deadlineNanos) {
        boolean restarting = process != null;
        for (int attempt = 1; ; attempt++) {
            if (port == 0) {
                port = freePort();
            } else if (fixedPort && attempt == 1 && process == null) {
                requirePortFree(port);
            }
            launch();
            StartResult result = awaitReady(deadlineNanos);
            if (result == StartResult.READY) {
                state = State.RUNNING;
                return;
            }
            if (result == StartResult.PORT_IN_USE && !fixedPort && !restarting && attempt < START_ATTEMPTS) {
                RESERVED.remove(port);
                port = 0; // someone took the free port between our check and the server's bind
                continue;
            }
            String why = result == StartResult.PORT_IN_USE
                    ? "port " + port + " on 127.0.0.1 is already in use" + (fixedPort ? "; choose another port or leave it unset to pick a free one" : "")
                    : result == StartResult.TIMED_OUT ? "it did not answer in time" : "the process exited with code " + exitCode();
            throw new TopologyException("cannot start " + name + " (" + server + " on port " + port + "): " + why + ". Last lines of its error log " + errorLog + ":\n" + logTail());
        }
    }

    private enum StartResult { READY, PORT_IN_USE, EXITED, TIMED_OUT }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                server.toString(),
                "--no-defaults",
                "--basedir=" + baseDir,
                "--datadir=" + dataDir,
                "--tmpdir=" + tmpDir,
                "--port=" + port,
                "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("mysqld.sock"),
                "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-error=" + errorLog,
                "--server-id=" + serverId,
                "--innodb-buffer-pool-size=32M",
                "--innodb-flush-log-at-trx-commit=2",
                "--sync-binlog=0",
                "--performance-schema=" + (dialect == Dialect.MYSQL ? "OFF" : "0"),
                "--max-connections=300"));
        command.addAll(dialect == Dialect.MYSQL ? mysqlOptions() : mariadbOptions());
        if (isRoot()) {
            command.add("--user=root");
        }
        try {
            Files.createDirectories(tmpDir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(outputLog.toFile())).start();
        } catch (IOException e) {
            throw new TopologyException("cannot run " + server + ": " + e.getMessage(), e);
        }
    }

    private List<String> mariadbOptions() {
        return List.of(
                "--log-bin=mysql-bin",
                "--relay-log=relay-bin",
                "--binlog-format=ROW",
                "--log-slave-updates=1",
                "--gtid-strict-mode=1",
                "--skip-name-resolve",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                "--innodb-log-file-size=8M",
                "--innodb-log-buffer-size=2M",
                "--key-buffer-size=1M",
                "--aria-pagecache-buffer-size=1M",
                "--query-cache-size=0",
                "--query-cache-type=0",
                "--read-only=" + (builtRole == Role.REPLICA ? 1 : 0),
                // After a SIGKILL, drop relay logs and fetch again from the GTID position: crash-safe.
                "--relay-log-recovery=" + (builtRole == Role.REPLICA ? 1 : 0));
    }

    /**
     * MySQL 8: GTIDs with auto-positioning, or none at all (replication by binary log file and
     * position, as on MySQL 5.6 servers without GTIDs); no X plugin. No {@code --skip-name-resolve}:
     * the admin account is {@code root@localhost}, which a TCP connection from 127.0.0.1 matches only
     * through name resolution. {@code --relay-log-recovery} makes a killed replica crash-safe either
     * way: it drops its relay logs and fetches again from what it has applied, which it keeps in its
     * own transactional repository tables.
     */
    private List<String> mysqlOptions() {
        return List.of(
                "--log-bin=binlog",
                "--relay-log=relay-bin",
                "--binlog-format=ROW",
                "--gtid-mode=" + (gtids ? "ON" : "OFF"),
                "--enforce-gtid-consistency=" + (gtids ? "ON" : "OFF"),
                "--mysqlx=OFF",
                "--innodb-log-buffer-size=2M",
                "--key-buffer-size=1M",
                // every node logs what it applies, so that a promoted replica can serve the others
                "--log-replica-updates=ON",
                "--read-only=" + (builtRole == Role.REPLICA ? "ON" : "OFF"),
                "--relay-log-recovery=" + (builtRole == Role.REPLICA ? "ON" : "OFF"));
    }

    private StartResult awaitReady(long deadlineNanos) {
        while (true) {
            if (!process.isAlive()) {
                String log = logTail();
                return log.contains("Address already in use") || log.contains("another mariadbd server running on port")
                        || log.contains("another mysqld server running on port") ? StartResult.PORT_IN_USE : StartResult.EXITED;
            }
            try (Connection c = connectAdmin(); Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT @@datadir")) {
                rs.next();
                // ours, not another server on the port (our process may not have failed its bind yet)
                if (Path.of(rs.getString(1)).toAbsolutePath().normalize().equals(dataDir.toAbsolutePath().normalize())) {
                    return StartResult.READY;
                }
            } catch (SQLException | RuntimeException notYet) {
                // not listening yet
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                process.destroyForcibly();
                return StartResult.TIMED_OUT;
            }
            sleep(20);
        }
    }

    @Override
    public void kill() {
        changed = true;
        destroy();
        state = State.KILLED; // its port stays reserved for it (see freePort)
    }

    @Override
    public void freeze() {
        requireRunning("freeze");
        changed = true;
        signal("STOP");
        awaitAllThreadsStopped();
        state = State.FROZEN;
    }

    @Override
    public void thaw() {
        if (state != State.FROZEN) {
            throw new IllegalStateException("cannot thaw " + name + ": it is " + state + ", not FROZEN");
        }
        signal("CONT");
        state = State.RUNNING;
    }

    @Override
    public void restart() {
        changed = true;
        destroy();
        start(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    }

    @Override
    void bringBack() {
        if (state == State.FROZEN) {
            thaw();
        } else if (state == State.KILLED) {
            restart();
        }
    }

    @Override
    public OptionalLong pid() {
        Process p = process;
        return p != null && p.isAlive() ? OptionalLong.of(p.pid()) : OptionalLong.empty();
    }

    @Override
    public long residentMemoryBytes() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid.getAsLong()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not on Linux, or the process just went
        }
        return 0;
    }

    /** Kills the process and waits for it to go. Safe on a frozen or dead process. */
    void destroy() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new TopologyException("process " + p.pid() + " of " + name + " did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String logTail() {
        String log = ServerBinaries.tail(errorLog, 25);
        String out = ServerBinaries.tail(outputLog, 10);
        return out.isBlank() || out.startsWith("(no ") ? log : log + "\n--- process output ---\n" + out;
    }

    private Integer exitCode() {
        try {
            return process.exitValue();
        } catch (IllegalThreadStateException e) {
            return null;
        }
    }

    private void requireRunning(String operation) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("cannot " + operation + " " + name + ": it is " + state);
        }
    }

    /**
     * {@code kill -STOP} returns once the signal is sent; a server thread on another core may still
     * answer a query for a moment. Wait until every thread of the process shows state T.
     */
    private void awaitAllThreadsStopped() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return;
        }
        Path tasks = Path.of("/proc", Long.toString(pid.getAsLong()), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            boolean allStopped = true;
            try (var list = Files.list(tasks)) {
                for (Path task : (Iterable<Path>) list::iterator) {
                    String stat = Files.readString(task.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (state != 'T' && state != 't') {
                        allStopped = false;
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return; // not Linux, or the process went: nothing more to wait for
            }
            if (allStopped) {
                return;
            }
            sleep(1);
        }
    }

    private void signal(String signal) {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            throw new IllegalStateException("cannot send SIG" + signal + " to " + name + ": its process is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid.getAsLong()))
                    .redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new TopologyException("kill -" + signal + " " + pid.getAsLong() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new TopologyException("cannot run kill -" + signal + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Ports of the servers of every open topology in this JVM, killed ones included: a killed node
     * restarts on its port, so no other server may be given it meanwhile (it would answer for this
     * node, and replicas of one topology would follow a server of another).
     */
    static final java.util.Set<Integer> RESERVED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new TopologyException("cannot find a free loopback port: " + e.getMessage(), e);
            }
            if (RESERVED.add(port)) {
                return port;
            }
        }
        throw new TopologyException("cannot find a free loopback port that no topology of this run holds");
    }

    /** Gives the node's port back (its topology closes). */
    void releasePort() {
        if (!fixedPort && port != 0) {
            RESERVED.remove(port);
        }
    }

    private void requirePortFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new TopologyException("cannot start " + name + ": port " + port + " on 127.0.0.1 is already in use (" + e.getMessage() + "); choose another port or leave it unset to pick a free one");
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted", e);
        }
    }
}
