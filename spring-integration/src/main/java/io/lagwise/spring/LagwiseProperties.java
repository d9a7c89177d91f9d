package io.lagwise.spring;

import io.lagwise.core.Consistency;
import io.lagwise.jdbc.ReadFallback;
import io.lagwise.jdbc.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Lagwise settings under {@code lagwise.*}: everything {@code LagwiseDataSource.builder()} offers.
 * Only {@code lagwise.master.url} is required; it turns the auto-configuration on.
 *
 * <pre>{@code
 * lagwise.master.url=jdbc:mariadb://db-master.oslo:3306/shop
 * lagwise.replicas[0].url=jdbc:mariadb://db-replica-1.oslo:3306/shop
 * lagwise.replicas[0].region=oslo
 * lagwise.replicas[1].url=jdbc:mariadb://db-replica-1.frankfurt:3306/shop
 * lagwise.replicas[1].region=frankfurt
 * lagwise.replicas[1].backup=true
 * lagwise.username=shop
 * lagwise.password=${DB_PASSWORD}
 * lagwise.local-region=oslo
 * lagwise.max-replication-lag=1s
 * lagwise.read-your-writes.mode=gtid
 * lagwise.read-your-writes.max-wait=50ms
 * lagwise.pool.maximum-pool-size=20
 * lagwise.replicas[1].pool.maximum-pool-size=5
 * lagwise.monitor.interval=250ms
 * }</pre>
 *
 * <p>This class only carries the values; they are checked once, when the DataSource is built, with
 * messages that name the property. {@link #toString()} masks every password, including any inside
 * a URL.
 */
@ConfigurationProperties("lagwise")
public class LagwiseProperties {

    private static final String MASK = "***";

    /**
     * Name of the data source, in logs, pool names and metrics tags.
     */
    private String name = "lagwise";

    /**
     * The master, which takes every write.
     */
    private final Master master = new Master();

    /**
     * The replicas, which take reads while they are healthy and fresh enough. Reads go to the master
     * when the list is empty.
     */
    private List<Replica> replicas = new ArrayList<>();

    /**
     * User name for every node, unless a node sets its own.
     */
    private String username;

    /**
     * Password for every node, unless a node sets its own. Never logged.
     */
    private String password;

    /**
     * Region this application instance runs in, such as "oslo". Replicas there are preferred; others
     * are a backup.
     */
    private String localRegion;

    /**
     * Largest lag at which a replica still takes reads.
     */
    private Duration maxReplicationLag = Duration.ofSeconds(1);

    /**
     * Default read consistency: eventual (any replica under the max lag), read-your-writes (never
     * behind the session's own writes) or strong (the master's newest data).
     */
    private Consistency consistency = Consistency.READ_YOUR_WRITES;

    /**
     * Where reads go when no replica can take them: master, or fail.
     */
    private ReadFallback readFallback = ReadFallback.MASTER;

    /**
     * Replicas whose round-trip time is within this of the nearest one's count as equally near and
     * share reads by load. Default 5ms. Not with a custom ReplicaSelector.
     */
    private Duration latencyWindow;

    /**
     * TCP connect timeout for every node (the driver's connectTimeout).
     */
    private Duration connectTimeout = Duration.ofSeconds(3);

    /**
     * Longest time a read may wait on a replica's answer (the driver's socketTimeout on replica
     * pools), so a frozen replica holds no read longer; 0 turns it off.
     */
    private Duration replicaReadTimeout = Duration.ofSeconds(30);

    /**
     * Whether the application may start while a node (even the master) is unreachable; it is marked
     * down and the monitor brings it back. Off: start-up fails naming the node.
     */
    private boolean allowDegradedStart;

    /**
     * Whether roles come from the servers: a replica promoted by operators or a failover tool
     * (writable, replicating from no configured node) becomes the master for writes, and a split
     * brain refuses writes naming the servers. Off keeps the roles as configured (a virtual IP or
     * proxy that moves to the new master).
     */
    private boolean followPromotions = true;

    /**
     * How many SQL texts keep their read/write classification cached.
     */
    private long statementCacheSize = 10_000L;

    /**
     * HikariCP settings for every node's pool.
     */
    private final Pool pool = new Pool();

    /**
     * The replica monitor.
     */
    private final Monitor monitor = new Monitor();

    /**
     * Read-your-writes.
     */
    private final ReadYourWrites readYourWrites = new ReadYourWrites();

    /**
     * Read-your-writes across HTTP requests.
     */
    private final Web web = new Web();

    /** Creates the settings with their defaults. */
    public LagwiseProperties() {}

    /** Returns: name of the data source, in logs, pool names and metrics tags. */
    public String getName() {
        return name;
    }

    /** Sets: name of the data source, in logs, pool names and metrics tags. */
    public void setName(String name) {
        this.name = name;
    }

    /** Returns: the master, which takes every write. */
    public Master getMaster() {
        return master;
    }

    /** Returns: the replicas, which take reads while they are healthy and fresh enough. */
    public List<Replica> getReplicas() {
        return replicas;
    }

    /** Sets: the replicas, which take reads while they are healthy and fresh enough. */
    public void setReplicas(List<Replica> replicas) {
        this.replicas = replicas;
    }

    /** Returns: user name for every node, unless a node sets its own. */
    public String getUsername() {
        return username;
    }

    /** Sets: user name for every node, unless a node sets its own. */
    public void setUsername(String username) {
        this.username = username;
    }

    /** Returns: password for every node, unless a node sets its own. */
    public String getPassword() {
        return password;
    }

    /** Sets: password for every node, unless a node sets its own. */
    public void setPassword(String password) {
        this.password = password;
    }

    /** Returns: region this application instance runs in, such as "oslo". */
    public String getLocalRegion() {
        return localRegion;
    }

    /** Sets: region this application instance runs in, such as "oslo". */
    public void setLocalRegion(String localRegion) {
        this.localRegion = localRegion;
    }

    /** Returns: largest lag at which a replica still takes reads. */
    public Duration getMaxReplicationLag() {
        return maxReplicationLag;
    }

    /** Sets: largest lag at which a replica still takes reads. */
    public void setMaxReplicationLag(Duration maxReplicationLag) {
        this.maxReplicationLag = maxReplicationLag;
    }

    /** Returns: default read consistency: eventual (any replica under the max lag), read-your-writes (never behind the session's own writes) or strong (the master's newest data). */
    public Consistency getConsistency() {
        return consistency;
    }

    /** Sets: default read consistency: eventual (any replica under the max lag), read-your-writes (never behind the session's own writes) or strong (the master's newest data). */
    public void setConsistency(Consistency consistency) {
        this.consistency = consistency;
    }

    /** Returns: where reads go when no replica can take them: master, or fail. */
    public ReadFallback getReadFallback() {
        return readFallback;
    }

    /** Sets: where reads go when no replica can take them: master, or fail. */
    public void setReadFallback(ReadFallback readFallback) {
        this.readFallback = readFallback;
    }

    /** Returns: replicas whose round-trip time is within this of the nearest one's count as equally near and share reads by load. */
    public Duration getLatencyWindow() {
        return latencyWindow;
    }

    /** Sets: replicas whose round-trip time is within this of the nearest one's count as equally near and share reads by load. */
    public void setLatencyWindow(Duration latencyWindow) {
        this.latencyWindow = latencyWindow;
    }

    /** Returns: tCP connect timeout for every node (the driver's connectTimeout). */
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    /** Sets: tCP connect timeout for every node (the driver's connectTimeout). */
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Returns: longest time a read may wait on a replica's answer (the driver's socketTimeout on replica pools), so a frozen replica holds no read longer; 0 turns it off. */
    public Duration getReplicaReadTimeout() {
        return replicaReadTimeout;
    }

    /** Sets: longest time a read may wait on a replica's answer (the driver's socketTimeout on replica pools), so a frozen replica holds no read longer; 0 turns it off. */
    public void setReplicaReadTimeout(Duration replicaReadTimeout) {
        this.replicaReadTimeout = replicaReadTimeout;
    }

    /** Returns: whether the application may start while a node (even the master) is unreachable; it is marked down and the monitor brings it back. */
    public boolean isAllowDegradedStart() {
        return allowDegradedStart;
    }

    /** Sets: whether the application may start while a node (even the master) is unreachable; it is marked down and the monitor brings it back. */
    public void setAllowDegradedStart(boolean allowDegradedStart) {
        this.allowDegradedStart = allowDegradedStart;
    }

    /** Returns: whether roles come from the servers (promotions followed, split brains refused). */
    public boolean isFollowPromotions() {
        return followPromotions;
    }

    /** Sets: whether roles come from the servers (promotions followed, split brains refused). */
    public void setFollowPromotions(boolean followPromotions) {
        this.followPromotions = followPromotions;
    }

    /** Returns: how many SQL texts keep their read/write classification cached. */
    public long getStatementCacheSize() {
        return statementCacheSize;
    }

    /** Sets: how many SQL texts keep their read/write classification cached. */
    public void setStatementCacheSize(long statementCacheSize) {
        this.statementCacheSize = statementCacheSize;
    }

    /** Returns: hikariCP settings for every node's pool. */
    public Pool getPool() {
        return pool;
    }

    /** Returns: the replica monitor. */
    public Monitor getMonitor() {
        return monitor;
    }

    /** Returns: read-your-writes. */
    public ReadYourWrites getReadYourWrites() {
        return readYourWrites;
    }

    /** Returns: read-your-writes across HTTP requests. */
    public Web getWeb() {
        return web;
    }

    /** Returns the settings with every password, also those in URLs, replaced by {@code ***}. */
    @Override
    public String toString() {
        return "LagwiseProperties[name=" + name + ", master=" + master + ", replicas=" + replicas
                + ", username=" + username + ", password=" + mask(password) + ", localRegion=" + localRegion
                + ", maxReplicationLag=" + maxReplicationLag + ", consistency=" + consistency
                + ", readFallback=" + readFallback + ", latencyWindow=" + latencyWindow
                + ", connectTimeout=" + connectTimeout + ", replicaReadTimeout=" + replicaReadTimeout
                + ", allowDegradedStart=" + allowDegradedStart + ", followPromotions=" + followPromotions + ", statementCacheSize=" + statementCacheSize
                + ", pool=" + pool + ", monitor=" + monitor + ", readYourWrites=" + readYourWrites + ", web=" + web + "]";
    }

    static String mask(String secret) {
        return secret == null ? null : MASK;
    }

    /** Driver properties with the values of any whose name says it is a secret masked. */
    static Map<String, String> maskProperties(Map<String, String> properties) {
        Map<String, String> masked = new LinkedHashMap<>();
        properties.forEach((k, v) -> masked.put(k, Redaction.isSecretName(k) ? MASK : v));
        return masked;
    }

    /** Masks a URL that has not been checked yet, conservatively: the router's own rule. */
    static String maskUrl(String url) {
        return url == null ? null : Redaction.redactUrl(url);
    }

    /** The master's settings, under {@code lagwise.master.*}. */
    public static class Master {

        /**
         * JDBC URL of the master, which takes every write. JDBC URL:
         * jdbc:mariadb://host[:port][/database][?parameters] or
         * jdbc:mysql://host[:port][/database][?parameters]. One server, not a driver multi-host URL:
         * Lagwise does the routing.
         */
        private String url;

        /**
         * User name for the master only; default lagwise.username.
         */
        private String username;

        /**
         * Password for the master only; default lagwise.password. Never logged.
         */
        private String password;

        /**
         * HikariCP settings for the master's pool, over lagwise.pool.
         */
        private final Pool pool = new Pool();

        /** Creates the settings with their defaults. */
        public Master() {}

        /** Returns: jDBC URL of the master, which takes every write. */
        public String getUrl() {
            return url;
        }

        /** Sets: jDBC URL of the master, which takes every write. */
        public void setUrl(String url) {
            this.url = url;
        }

        /** Returns: user name for the master only; default lagwise.username. */
        public String getUsername() {
            return username;
        }

        /** Sets: user name for the master only; default lagwise.username. */
        public void setUsername(String username) {
            this.username = username;
        }

        /** Returns: password for the master only; default lagwise.password. */
        public String getPassword() {
            return password;
        }

        /** Sets: password for the master only; default lagwise.password. */
        public void setPassword(String password) {
            this.password = password;
        }

        /** Returns: hikariCP settings for the master's pool, over lagwise.pool. */
        public Pool getPool() {
            return pool;
        }

        /** Returns the settings with passwords, also those in the URL, replaced by {@code ***}. */
        @Override
        public String toString() {
            return "Master[url=" + maskUrl(url) + ", username=" + username + ", password=" + mask(password)
                    + ", pool=" + pool + "]";
        }
    }

    /** One replica's settings, under {@code lagwise.replicas[i].*}. */
    public static class Replica {

        /**
         * JDBC URL of the replica. JDBC URL: jdbc:mariadb://host[:port][/database][?parameters] or
         * jdbc:mysql://host[:port][/database][?parameters]. One server, not a driver multi-host URL:
         * Lagwise does the routing.
         */
        private String url;

        /**
         * Region the replica runs in, such as "frankfurt". Replicas in the local region are preferred.
         */
        private String region;

        /**
         * Whether the replica is a backup: it gets reads only when no other replica can take them.
         */
        private boolean backup;

        /**
         * User name for this replica only; default lagwise.username.
         */
        private String username;

        /**
         * Password for this replica only; default lagwise.password. Never logged.
         */
        private String password;

        /**
         * HikariCP settings for this replica's pool, over lagwise.pool.
         */
        private final Pool pool = new Pool();

        /** Creates the settings with their defaults. */
        public Replica() {}

        /** Returns: jDBC URL of the replica. */
        public String getUrl() {
            return url;
        }

        /** Sets: jDBC URL of the replica. */
        public void setUrl(String url) {
            this.url = url;
        }

        /** Returns: region the replica runs in, such as "frankfurt". */
        public String getRegion() {
            return region;
        }

        /** Sets: region the replica runs in, such as "frankfurt". */
        public void setRegion(String region) {
            this.region = region;
        }

        /** Returns: whether the replica is a backup: it gets reads only when no other replica can take them. */
        public boolean isBackup() {
            return backup;
        }

        /** Sets: whether the replica is a backup: it gets reads only when no other replica can take them. */
        public void setBackup(boolean backup) {
            this.backup = backup;
        }

        /** Returns: user name for this replica only; default lagwise.username. */
        public String getUsername() {
            return username;
        }

        /** Sets: user name for this replica only; default lagwise.username. */
        public void setUsername(String username) {
            this.username = username;
        }

        /** Returns: password for this replica only; default lagwise.password. */
        public String getPassword() {
            return password;
        }

        /** Sets: password for this replica only; default lagwise.password. */
        public void setPassword(String password) {
            this.password = password;
        }

        /** Returns: hikariCP settings for this replica's pool, over lagwise.pool. */
        public Pool getPool() {
            return pool;
        }

        /** Returns the settings with passwords, also those in the URL, replaced by {@code ***}. */
        @Override
        public String toString() {
            return "Replica[url=" + maskUrl(url) + ", region=" + region + ", backup=" + backup + ", username=" + username
                    + ", password=" + mask(password) + ", pool=" + pool + "]";
        }
    }

    /** HikariCP settings, for every node ({@code lagwise.pool.*}) or one ({@code lagwise.master.pool.*}, {@code lagwise.replicas[i].pool.*}); unset values fall back to the wider setting. */
    public static class Pool {

        /**
         * Most connections the pool holds. Default 10.
         */
        private Integer maximumPoolSize;

        /**
         * Fewest idle connections the pool keeps. Default: the maximum pool size (a fixed pool).
         */
        private Integer minimumIdle;

        /**
         * How long a borrow waits for a connection before it fails. Default 3s, at least 250ms.
         */
        private Duration connectionTimeout;

        /**
         * How long a connection above the minimum may sit idle before it is closed. Default HikariCP's
         * (10m).
         */
        private Duration idleTimeout;

        /**
         * Longest life of a pooled connection; set it below the server's wait_timeout. Default HikariCP's
         * (30m).
         */
        private Duration maxLifetime;

        /**
         * How often an idle connection is tested to keep it alive. Default HikariCP's (2m).
         */
        private Duration keepaliveTime;

        /**
         * How long a connection test may take. Default 2s, at least 250ms.
         */
        private Duration validationTimeout;

        /**
         * Driver properties for every connection, such as useServerPrepStmts=true. Not for credentials.
         */
        private final Map<String, String> dataSourceProperties = new LinkedHashMap<>();

        /** Creates the settings with their defaults. */
        public Pool() {}

        /** Returns: most connections the pool holds. */
        public Integer getMaximumPoolSize() {
            return maximumPoolSize;
        }

        /** Sets: most connections the pool holds. */
        public void setMaximumPoolSize(Integer maximumPoolSize) {
            this.maximumPoolSize = maximumPoolSize;
        }

        /** Returns: fewest idle connections the pool keeps. */
        public Integer getMinimumIdle() {
            return minimumIdle;
        }

        /** Sets: fewest idle connections the pool keeps. */
        public void setMinimumIdle(Integer minimumIdle) {
            this.minimumIdle = minimumIdle;
        }

        /** Returns: how long a borrow waits for a connection before it fails. */
        public Duration getConnectionTimeout() {
            return connectionTimeout;
        }

        /** Sets: how long a borrow waits for a connection before it fails. */
        public void setConnectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
        }

        /** Returns: how long a connection above the minimum may sit idle before it is closed. */
        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        /** Sets: how long a connection above the minimum may sit idle before it is closed. */
        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        /** Returns: longest life of a pooled connection; set it below the server's wait_timeout. */
        public Duration getMaxLifetime() {
            return maxLifetime;
        }

        /** Sets: longest life of a pooled connection; set it below the server's wait_timeout. */
        public void setMaxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
        }

        /** Returns: how often an idle connection is tested to keep it alive. */
        public Duration getKeepaliveTime() {
            return keepaliveTime;
        }

        /** Sets: how often an idle connection is tested to keep it alive. */
        public void setKeepaliveTime(Duration keepaliveTime) {
            this.keepaliveTime = keepaliveTime;
        }

        /** Returns: how long a connection test may take. */
        public Duration getValidationTimeout() {
            return validationTimeout;
        }

        /** Sets: how long a connection test may take. */
        public void setValidationTimeout(Duration validationTimeout) {
            this.validationTimeout = validationTimeout;
        }

        /** Returns: driver properties for every connection, such as useServerPrepStmts=true. */
        public Map<String, String> getDataSourceProperties() {
            return dataSourceProperties;
        }

        @Override
        public String toString() {
            return "Pool[maximumPoolSize=" + maximumPoolSize + ", minimumIdle=" + minimumIdle
                    + ", connectionTimeout=" + connectionTimeout + ", idleTimeout=" + idleTimeout
                    + ", maxLifetime=" + maxLifetime + ", keepaliveTime=" + keepaliveTime
                    + ", validationTimeout=" + validationTimeout + ", dataSourceProperties=" + maskProperties(dataSourceProperties) + "]";
        }
    }

    /** The replica monitor, under {@code lagwise.monitor.*}. */
    public static class Monitor {

        /**
         * How often the monitor probes each node (GTID position, replication status, round-trip time).
         */
        private Duration interval = Duration.ofMillis(250);

        /**
         * How long one probe may take; a frozen server fails its probe in this time.
         */
        private Duration probeTimeout = Duration.ofSeconds(1);

        /**
         * Heartbeat interval: when set, the monitor writes one row per application instance into the
         * heartbeat table this often and times its arrival on each replica, for lag to the millisecond.
         * Off by default: the GTID timeline measures lag without writing. At least 100ms.
         */
        private Duration heartbeat;

        /**
         * Name of the heartbeat table, in the master URL's database; created when absent and allowed.
         */
        private String heartbeatTable = "lagwise_heartbeat";

        /**
         * A separate account for the monitor's probes (it needs REPLICATION CLIENT / SLAVE MONITOR);
         * default each node's own.
         */
        private String username;

        /**
         * Password of the monitor's account. Never logged.
         */
        private String password;

        /** Creates the settings with their defaults. */
        public Monitor() {}

        /** Returns: how often the monitor probes each node (GTID position, replication status, round-trip time). */
        public Duration getInterval() {
            return interval;
        }

        /** Sets: how often the monitor probes each node (GTID position, replication status, round-trip time). */
        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        /** Returns: how long one probe may take; a frozen server fails its probe in this time. */
        public Duration getProbeTimeout() {
            return probeTimeout;
        }

        /** Sets: how long one probe may take; a frozen server fails its probe in this time. */
        public void setProbeTimeout(Duration probeTimeout) {
            this.probeTimeout = probeTimeout;
        }

        /** Returns: heartbeat interval: when set, the monitor writes one row per application instance into the heartbeat table this often and times its arrival on each replica, for lag to the millisecond. */
        public Duration getHeartbeat() {
            return heartbeat;
        }

        /** Sets: heartbeat interval: when set, the monitor writes one row per application instance into the heartbeat table this often and times its arrival on each replica, for lag to the millisecond. */
        public void setHeartbeat(Duration heartbeat) {
            this.heartbeat = heartbeat;
        }

        /** Returns: name of the heartbeat table, in the master URL's database; created when absent and allowed. */
        public String getHeartbeatTable() {
            return heartbeatTable;
        }

        /** Sets: name of the heartbeat table, in the master URL's database; created when absent and allowed. */
        public void setHeartbeatTable(String heartbeatTable) {
            this.heartbeatTable = heartbeatTable;
        }

        /** Returns: a separate account for the monitor's probes (it needs REPLICATION CLIENT / SLAVE MONITOR); default each node's own. */
        public String getUsername() {
            return username;
        }

        /** Sets: a separate account for the monitor's probes (it needs REPLICATION CLIENT / SLAVE MONITOR); default each node's own. */
        public void setUsername(String username) {
            this.username = username;
        }

        /** Returns: password of the monitor's account. */
        public String getPassword() {
            return password;
        }

        /** Sets: password of the monitor's account. */
        public void setPassword(String password) {
            this.password = password;
        }

        @Override
        public String toString() {
            return "Monitor[interval=" + interval + ", probeTimeout=" + probeTimeout + ", heartbeat=" + heartbeat
                    + ", heartbeatTable=" + heartbeatTable + ", username=" + username + ", password=" + mask(password) + "]";
        }
    }

    /** Read-your-writes, under {@code lagwise.read-your-writes.*}. */
    public static class ReadYourWrites {

        /**
         * How a session reads its own writes: gtid (a replica that has applied the write, after a bounded
         * wait, else the master) or pin (the master for a window after each write).
         */
        private Mode mode = Mode.GTID;

        /**
         * In gtid mode, how long a read waits for the nearest replica to apply the session's writes
         * before it reads from the master. From 0 to 10s.
         */
        private Duration maxWait = Duration.ofMillis(50);

        /**
         * In pin mode (or when a write's GTID is unknown), the shortest time after a write that the
         * session reads from the master; twice the replicas' recent p99 lag when that is longer.
         */
        private Duration pinWindowMinimum = Duration.ofMillis(100);

        /**
         * In gtid mode, how many reads per write may go to the master because reading there costs less
         * than waiting for a replica (counted against this data source's writes over about a second);
         * past it, such reads wait on replicas. 0 or more; 0 always waits.
         */
        private double masterBudget = 1.0;

        /** Creates the settings with their defaults. */
        public ReadYourWrites() {}

        /** Returns: in gtid mode, how many reads per write may go to the master because reading there costs less than waiting for a replica. */
        public double getMasterBudget() {
            return masterBudget;
        }

        /** Sets: in gtid mode, how many reads per write may go to the master because reading there costs less than waiting for a replica. */
        public void setMasterBudget(double masterBudget) {
            this.masterBudget = masterBudget;
        }

        /** Returns: how a session reads its own writes: gtid (a replica that has applied the write, after a bounded wait, else the master) or pin (the master for a window after each write). */
        public Mode getMode() {
            return mode;
        }

        /** Sets: how a session reads its own writes: gtid (a replica that has applied the write, after a bounded wait, else the master) or pin (the master for a window after each write). */
        public void setMode(Mode mode) {
            this.mode = mode;
        }

        /** Returns: in gtid mode, how long a read waits for the nearest replica to apply the session's writes before it reads from the master. */
        public Duration getMaxWait() {
            return maxWait;
        }

        /** Sets: in gtid mode, how long a read waits for the nearest replica to apply the session's writes before it reads from the master. */
        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }

        /** Returns: in pin mode (or when a write's GTID is unknown), the shortest time after a write that the session reads from the master; twice the replicas' recent p99 lag when that is longer. */
        public Duration getPinWindowMinimum() {
            return pinWindowMinimum;
        }

        /** Sets: in pin mode (or when a write's GTID is unknown), the shortest time after a write that the session reads from the master; twice the replicas' recent p99 lag when that is longer. */
        public void setPinWindowMinimum(Duration pinWindowMinimum) {
            this.pinWindowMinimum = pinWindowMinimum;
        }

        @Override
        public String toString() {
            return "ReadYourWrites[mode=" + mode + ", maxWait=" + maxWait + ", pinWindowMinimum=" + pinWindowMinimum
                    + ", masterBudget=" + masterBudget + "]";
        }


            /** How a session reads its own writes. */
            public enum Mode {
                /** Wait on a replica for the write's GTID (bounded), else read from the master. */
                GTID,
                /** Read from the master for a window after each write. */
                PIN
            }
    }

    /** Read-your-writes across HTTP requests, under {@code lagwise.web.*}. */
    public static class Web {

        /**
         * Whether each HTTP request gets a consistency session whose token travels to the user's next
         * request in a cookie and a header (servlet web applications).
         */
        private boolean enabled = true;

        /**
         * Name of the cookie that carries the consistency token between requests.
         */
        private String cookieName = "lagwise-consistency";

        /**
         * How long the browser keeps the consistency cookie; a token older than the replicas' lag is
         * harmless and useless.
         */
        private Duration cookieMaxAge = Duration.ofMinutes(5);

        /**
         * Name of the request and response header that carries the consistency token, for API clients.
         */
        private String headerName = "Lagwise-Consistency";

        /** Creates the settings with their defaults. */
        public Web() {}

        /** Returns: whether each HTTP request gets a consistency session whose token travels to the user's next request in a cookie and a header (servlet web applications). */
        public boolean isEnabled() {
            return enabled;
        }

        /** Sets: whether each HTTP request gets a consistency session whose token travels to the user's next request in a cookie and a header (servlet web applications). */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** Returns: name of the cookie that carries the consistency token between requests. */
        public String getCookieName() {
            return cookieName;
        }

        /** Sets: name of the cookie that carries the consistency token between requests. */
        public void setCookieName(String cookieName) {
            this.cookieName = cookieName;
        }

        /** Returns: how long the browser keeps the consistency cookie; a token older than the replicas' lag is harmless and useless. */
        public Duration getCookieMaxAge() {
            return cookieMaxAge;
        }

        /** Sets: how long the browser keeps the consistency cookie; a token older than the replicas' lag is harmless and useless. */
        public void setCookieMaxAge(Duration cookieMaxAge) {
            this.cookieMaxAge = cookieMaxAge;
        }

        /** Returns: name of the request and response header that carries the consistency token, for API clients. */
        public String getHeaderName() {
            return headerName;
        }

        /** Sets: name of the request and response header that carries the consistency token, for API clients. */
        public void setHeaderName(String headerName) {
            this.headerName = headerName;
        }

        @Override
        public String toString() {
            return "Web[enabled=" + enabled + ", cookieName=" + cookieName + ", cookieMaxAge=" + cookieMaxAge
                    + ", headerName=" + headerName + "]";
        }
    }
}
