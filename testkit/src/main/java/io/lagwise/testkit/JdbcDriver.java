package io.lagwise.testkit;

/**
 * The JDBC drivers a topology hands out URLs for. Neither is a hard dependency of the testkit:
 * put the one (or both) you test with on your test classpath.
 */
public enum JdbcDriver {
    /** MariaDB Connector/J ({@code org.mariadb.jdbc:mariadb-java-client}), URLs {@code jdbc:mariadb://}. */
    MARIADB("jdbc:mariadb://", "org.mariadb.jdbc.Driver", "sslMode=disable"),
    /** MySQL Connector/J ({@code com.mysql:mysql-connector-j}), URLs {@code jdbc:mysql://}. */
    MYSQL("jdbc:mysql://", "com.mysql.cj.jdbc.Driver", "sslMode=DISABLED&allowPublicKeyRetrieval=true");

    private final String prefix;
    private final String driverClass;
    private final String defaultParameters;

    JdbcDriver(String prefix, String driverClass, String defaultParameters) {
        this.prefix = prefix;
        this.driverClass = driverClass;
        this.defaultParameters = defaultParameters;
    }

    /** The URL prefix, e.g. {@code jdbc:mariadb://}. */
    public String prefix() {
        return prefix;
    }

    /** The driver's class name. */
    public String driverClassName() {
        return driverClass;
    }

    /** Whether this driver is on the classpath. */
    public boolean isAvailable() {
        try {
            Class.forName(driverClass, false, JdbcDriver.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * A URL for a server on {@code host:port}, database {@code database}. TLS is switched off
     * (the test servers serve none, and MariaDB Connector/J 4 would otherwise insist on it).
     */
    public String url(String host, int port, String database) {
        return prefix + host + ":" + port + "/" + database + "?" + defaultParameters;
    }

    /**
     * The driver the testkit uses for its own connections: MariaDB Connector/J when present,
     * else MySQL Connector/J.
     *
     * @throws TopologyException if neither driver is on the classpath
     */
    public static JdbcDriver preferred() {
        if (MARIADB.isAvailable()) {
            return MARIADB;
        }
        if (MYSQL.isAvailable()) {
            return MYSQL;
        }
        throw new TopologyException("no JDBC driver on the classpath: add org.mariadb.jdbc:mariadb-java-client or com.mysql:mysql-connector-j to your test dependencies");
    }
}
