package io.lagwise.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Lagwise settings under {@code lagwise.*}: the master, the replicas, the credentials shared by all
 * nodes, and how fresh a read must be.
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
 * }</pre>
 *
 * <p>This class only carries the values; they are checked once, when the DataSource is built, with
 * messages that name the property. {@link #toString()} masks the password, including any password
 * inside a URL.
 */
@ConfigurationProperties("lagwise")
public class LagwiseProperties {

    private static final String MASK = "***";
    // The jdbc-router's rule: a parameter whose name holds "password", its value up to "&name=".
    private static final Pattern URL_PASSWORD_PARAMETER = Pattern.compile(
            "(?i)(?<![^?&;])([a-z0-9_.\\-]*password[a-z0-9_.\\-]*=)(?:[^&]|&(?![a-z0-9_.\\-]+=))*");

    /**
     * The master, which takes every write.
     */
    private final Master master = new Master();

    /**
     * The replicas, which take reads while they are healthy and fresh enough. Reads go to the
     * master when the list is empty.
     */
    private List<Replica> replicas = new ArrayList<>();

    /**
     * User name for every node, unless a node's URL sets its own.
     */
    private String username;

    /**
     * Password for every node, unless a node's URL sets its own. Never logged.
     */
    private String password;

    /**
     * Region this application instance runs in, such as "oslo". Replicas in it are preferred over
     * those in other regions. When unset, regions play no part in choosing a replica.
     */
    private String localRegion;

    /**
     * How far a replica may trail the master and still take reads. A replica that lags more stops
     * getting reads until it catches up.
     */
    private Duration maxReplicationLag = Duration.ofSeconds(1);

    /**
     * How a session that wrote is kept from reading data older than its own write.
     */
    private final ReadYourWrites readYourWrites = new ReadYourWrites();

    /** Creates the properties with their defaults. */
    public LagwiseProperties() {}

    /**
     * Returns the master's settings.
     *
     * @return the master; never null
     */
    public Master getMaster() {
        return master;
    }

    /**
     * Returns the replicas' settings, in configuration order.
     *
     * @return the replicas; never null, empty if none is configured
     */
    public List<Replica> getReplicas() {
        return replicas;
    }

    /**
     * Sets the replicas.
     *
     * @param replicas the replicas, in configuration order
     */
    public void setReplicas(List<Replica> replicas) {
        this.replicas = replicas;
    }

    /**
     * Returns the user name shared by all nodes.
     *
     * @return the user name, or null if unset
     */
    public String getUsername() {
        return username;
    }

    /**
     * Sets the user name shared by all nodes.
     *
     * @param username the user name
     */
    public void setUsername(String username) {
        this.username = username;
    }

    /**
     * Returns the password shared by all nodes.
     *
     * @return the password, or null if unset
     */
    public String getPassword() {
        return password;
    }

    /**
     * Sets the password shared by all nodes.
     *
     * @param password the password
     */
    public void setPassword(String password) {
        this.password = password;
    }

    /**
     * Returns the region this application instance runs in.
     *
     * @return the region label, or null if unset
     */
    public String getLocalRegion() {
        return localRegion;
    }

    /**
     * Sets the region this application instance runs in.
     *
     * @param localRegion a region label such as {@code oslo}
     */
    public void setLocalRegion(String localRegion) {
        this.localRegion = localRegion;
    }

    /**
     * Returns the largest lag at which a replica still takes reads.
     *
     * @return the maximum replication lag; 1 second unless set
     */
    public Duration getMaxReplicationLag() {
        return maxReplicationLag;
    }

    /**
     * Sets the largest lag at which a replica still takes reads.
     *
     * @param maxReplicationLag the maximum replication lag
     */
    public void setMaxReplicationLag(Duration maxReplicationLag) {
        this.maxReplicationLag = maxReplicationLag;
    }

    /**
     * Returns the read-your-writes settings.
     *
     * @return the read-your-writes settings; never null
     */
    public ReadYourWrites getReadYourWrites() {
        return readYourWrites;
    }

    /**
     * Returns the settings with the password, and any password in a URL, replaced by {@code ***}.
     */
    @Override
    public String toString() {
        return "LagwiseProperties[master=" + master
                + ", replicas=" + replicas
                + ", username=" + username
                + ", password=" + mask(password)
                + ", localRegion=" + localRegion
                + ", maxReplicationLag=" + maxReplicationLag
                + ", readYourWrites=" + readYourWrites + "]";
    }

    private static String mask(String secret) {
        return secret == null ? null : MASK;
    }

    /**
     * Masks a URL that has not been checked yet, conservatively: the values of password
     * parameters first (an '@' is a common password character), then everything from the host to
     * the last '@' left, so that user info is hidden even when its password holds a raw '/'.
     */
    static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        String masked = URL_PASSWORD_PARAMETER.matcher(url).replaceAll("$1" + MASK);
        int doubleSlash = masked.indexOf("//");
        int authority = doubleSlash < 0 ? 0 : doubleSlash + 2;
        int at = masked.lastIndexOf('@');
        return at > authority ? masked.substring(0, authority) + MASK + masked.substring(at) : masked;
    }

    /** The master's settings, under {@code lagwise.master.*}. */
    public static class Master {

        /**
         * JDBC URL of the master: jdbc:mariadb://host[:port][/database][?parameters] or
         * jdbc:mysql://host[:port][/database][?parameters]. One server, not a driver multi-host
         * URL: Lagwise does the routing.
         */
        private String url;

        /** Creates the master settings, unset. */
        public Master() {}

        /**
         * Returns the master's JDBC URL.
         *
         * @return the URL, or null if unset
         */
        public String getUrl() {
            return url;
        }

        /**
         * Sets the master's JDBC URL.
         *
         * @param url a plain MariaDB or MySQL JDBC URL
         */
        public void setUrl(String url) {
            this.url = url;
        }

        /** Returns the settings with any password in the URL replaced by {@code ***}. */
        @Override
        public String toString() {
            return "Master[url=" + maskUrl(url) + "]";
        }
    }

    /** One replica's settings, under {@code lagwise.replicas[i].*}. */
    public static class Replica {

        /**
         * JDBC URL of the replica: jdbc:mariadb://host[:port][/database][?parameters] or
         * jdbc:mysql://host[:port][/database][?parameters]. One server, not a driver multi-host
         * URL: Lagwise does the routing.
         */
        private String url;

        /**
         * Region the replica runs in, such as "frankfurt". Replicas in the local region are
         * preferred.
         */
        private String region;

        /**
         * Whether the replica is a backup: it gets reads only when no other replica can take them.
         */
        private boolean backup;

        /** Creates the replica settings, unset and not a backup. */
        public Replica() {}

        /**
         * Returns the replica's JDBC URL.
         *
         * @return the URL, or null if unset
         */
        public String getUrl() {
            return url;
        }

        /**
         * Sets the replica's JDBC URL.
         *
         * @param url a plain MariaDB or MySQL JDBC URL
         */
        public void setUrl(String url) {
            this.url = url;
        }

        /**
         * Returns the replica's region.
         *
         * @return the region label, or null if unset
         */
        public String getRegion() {
            return region;
        }

        /**
         * Sets the replica's region.
         *
         * @param region a region label such as {@code frankfurt}
         */
        public void setRegion(String region) {
            this.region = region;
        }

        /**
         * Returns whether the replica is a backup.
         *
         * @return true if it gets reads only when no other replica can take them
         */
        public boolean isBackup() {
            return backup;
        }

        /**
         * Sets whether the replica is a backup.
         *
         * @param backup true if it should get reads only when no other replica can take them
         */
        public void setBackup(boolean backup) {
            this.backup = backup;
        }

        /** Returns the settings with any password in the URL replaced by {@code ***}. */
        @Override
        public String toString() {
            return "Replica[url=" + maskUrl(url) + ", region=" + region + ", backup=" + backup + "]";
        }
    }

    /** Read-your-writes settings, under {@code lagwise.read-your-writes.*}. */
    public static class ReadYourWrites {

        /**
         * How a read after a write is kept consistent: "gtid" sends it to a replica that has
         * applied the write's GTID, waiting at most max-wait on the nearest one; "pin" sends the
         * session's reads to the master for a while after it wrote.
         */
        private Mode mode = Mode.GTID;

        /**
         * How long a read may wait for a replica to apply the session's last write before it
         * goes to the master instead. Used in gtid mode.
         */
        private Duration maxWait = Duration.ofMillis(50);

        /** Creates the read-your-writes settings with their defaults. */
        public ReadYourWrites() {}

        /**
         * Returns how a read after a write is kept consistent.
         *
         * @return the mode; {@link Mode#GTID} unless set
         */
        public Mode getMode() {
            return mode;
        }

        /**
         * Sets how a read after a write is kept consistent.
         *
         * @param mode the mode
         */
        public void setMode(Mode mode) {
            this.mode = mode;
        }

        /**
         * Returns how long a read may wait for a replica to apply the session's last write.
         *
         * @return the longest wait; 50 milliseconds unless set
         */
        public Duration getMaxWait() {
            return maxWait;
        }

        /**
         * Sets how long a read may wait for a replica to apply the session's last write.
         *
         * @param maxWait the longest wait
         */
        public void setMaxWait(Duration maxWait) {
            this.maxWait = maxWait;
        }

        /** Returns the settings, for logs. */
        @Override
        public String toString() {
            return "ReadYourWrites[mode=" + mode + ", maxWait=" + maxWait + "]";
        }

        /** How a session reads its own writes; bound from {@code gtid} or {@code pin}. */
        public enum Mode {

            /**
             * Read from a replica that has applied the session's last GTID, waiting at most
             * {@code max-wait} on the nearest replica, else from the master.
             */
            GTID,

            /**
             * Read from the master for a while after the session wrote, for as long as replicas
             * are measured to lag, never less than the configured minimum. For servers without
             * GTIDs.
             */
            PIN
        }
    }
}
