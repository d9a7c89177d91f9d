package io.lagwise.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Lagwise for tools and frameworks that take only a JDBC URL, a user and a password (Flyway,
 * Liquibase, Quarkus, Jakarta EE servers, database IDEs): {@code jdbc:lagwise:file:/etc/app/lagwise.properties}
 * or {@code jdbc:lagwise:classpath:lagwise.properties} names a properties file with the Spring Boot
 * property names ({@link LagwiseSettings}).
 *
 * <p>The user and password the tool gives apply to every node (unless the file sets them per node).
 * One {@link LagwiseDataSource} is built per distinct URL and user, on first use, and shared by every
 * connection handed out for them: pools, monitor and sessions are per data source, not per
 * {@code connect()}. They are closed when the JVM exits, or by {@link #closeAll()} (a container that
 * redeploys). Registered through {@code META-INF/services/java.sql.Driver}; other URLs are left to
 * other drivers ({@code connect} returns null).
 */
public final class LagwiseDriver implements Driver {

    /** The prefix of the URLs this driver takes. */
    public static final String PREFIX = "jdbc:lagwise:";

    /** The data sources built, by URL, user and a digest of the password (a wrong password builds none). */
    private static final Map<String, Entry> SOURCES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicBoolean HOOKED = new java.util.concurrent.atomic.AtomicBoolean();

    /** One data source's slot: built under its own lock, so that one slow cluster holds up no other URL. */
    private static final class Entry {
        volatile LagwiseDataSource dataSource;
    }

    static {
        try {
            DriverManager.registerDriver(new LagwiseDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /**
     * A connection of the data source for {@code url} and the user in {@code info}, built on first use.
     *
     * @return null when {@code url} is not a {@code jdbc:lagwise:} URL (the JDBC contract)
     * @throws SQLException if the file cannot be read, a property in it is unknown or wrong (the
     *     message names the file, the property and its value, never a password), or a node cannot be reached
     */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        String user = info == null ? null : info.getProperty("user");
        return dataSource(url, user, info == null ? null : info.getProperty("password")).getConnection();
    }

    private static LagwiseDataSource dataSource(String url, String user, String password) throws SQLException {
        String key = url + '\u0000' + (user == null ? "" : user) + '\u0000' + digest(password);
        Entry entry = SOURCES.computeIfAbsent(key, k -> new Entry());
        LagwiseDataSource ds = entry.dataSource;
        if (ds != null && !ds.isClosed()) {
            return ds;
        }
        synchronized (entry) {
            ds = entry.dataSource;
            if (ds == null || ds.isClosed()) {
                ds = build(url, user, password);
                entry.dataSource = ds;
            }
        }
        if (HOOKED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(LagwiseDriver::closeAll, "lagwise-driver-shutdown"));
        }
        return ds;
    }

    /** A digest of a password, so that it is part of the key without being kept. */
    private static String digest(String password) {
        if (password == null) {
            return "";
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds the data source a URL names, with the tool's user and password for every node. */
    static LagwiseDataSource build(String url, String user, String password) throws SQLException {
        String where = Redaction.redact(url.substring(PREFIX.length()));
        Map<String, String> properties = read(url, where);
        properties.putIfAbsent("lagwise.name", "lagwise");
        LagwiseDataSource.Builder b;
        try {
            b = LagwiseSettings.builder(properties, where, LagwiseSettings::environment, user, password);
        } catch (LagwiseSettingsException e) {
            throw new SQLException(e.getMessage(), "HY000", e);
        } catch (RuntimeException e) {
            throw new SQLException(where + ": " + e, "HY000", e);
        }
        try {
            return b.build();
        } catch (InvalidSettingException e) {
            throw new SQLException(where + ": " + LagwiseSettings.property(e.setting()) + ": " + e.getMessage(), "HY000", e);
        } catch (ConflictingSettingsException e) {
            List<String> named = new ArrayList<>();
            e.settings().forEach(setting -> named.add(LagwiseSettings.property(setting)));
            throw new SQLException(where + ": " + String.join(" and ", named) + ": " + e.getMessage(), "HY000", e);
        } catch (SQLException e) {
            throw new SQLException(where + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    private static Map<String, String> read(String url, String where) throws SQLException {
        Properties p = new Properties();
        String shown = Redaction.redact(url);
        if (where.startsWith("file:")) {
            String path = url.substring(PREFIX.length() + "file:".length());
            // (read as Spring Boot reads .properties files: ISO-8859-1, with \\uXXXX escapes)
            try (InputStream in = Files.newInputStream(Path.of(path))) {
                p.load(in);
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new SQLException("cannot read the Lagwise settings file " + where.substring("file:".length()) + ": "
                        + Redaction.redact(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())), "HY000", e);
            }
        } else if (where.startsWith("classpath:")) {
            String resource = where.substring("classpath:".length());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in = (loader != null ? loader : LagwiseDriver.class.getClassLoader()).getResourceAsStream(
                    resource.startsWith("/") ? resource.substring(1) : resource);
            if (in == null) {
                throw new SQLException("cannot read the Lagwise settings resource " + Redaction.redact(resource) + ": not on the class path", "HY000");
            }
            try (InputStream stream = in) {
                p.load(stream);
            } catch (IOException e) {
                throw new SQLException("cannot read the Lagwise settings resource " + Redaction.redact(resource) + ": " + e.getClass().getSimpleName(), "HY000", e);
            }
        } else {
            throw new SQLException("a Lagwise URL names its settings: " + PREFIX + "file:/path/lagwise.properties or "
                    + PREFIX + "classpath:lagwise.properties, not " + shown, "HY000");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            map.put(name, p.getProperty(name));
        }
        return map;
    }

    /**
     * Closes every data source this driver built (their pools and monitors); the next connection
     * builds anew. For containers that redeploy an application without restarting the JVM.
     */
    public static void closeAll() {
        for (Entry e : SOURCES.values()) {
            synchronized (e) {
                LagwiseDataSource ds = e.dataSource;
                if (ds != null) {
                    ds.close();
                }
            }
        }
        SOURCES.clear();
    }

    /** The data sources built so far and open, for tests and diagnostics. */
    static List<LagwiseDataSource> dataSources() {
        List<LagwiseDataSource> out = new ArrayList<>();
        for (Entry e : SOURCES.values()) {
            LagwiseDataSource ds = e.dataSource;
            if (ds != null && !ds.isClosed()) {
                out.add(ds);
            }
        }
        return out;
    }

    /** The user and password, and every setting the settings file takes ({@link LagwiseSettings}). */
    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        List<DriverPropertyInfo> out = new ArrayList<>();
        DriverPropertyInfo u = new DriverPropertyInfo("user", info == null ? null : info.getProperty("user"));
        u.description = "The user on every node (unless the settings file sets one per node)";
        out.add(u);
        DriverPropertyInfo pw = new DriverPropertyInfo("password", null);
        pw.description = "The password on every node (unless the settings file sets one per node)";
        out.add(pw);
        for (String name : List.of("master.url", "replicas[0].url", "replicas[0].region", "replicas[0].backup",
                "master.pool.maximum-pool-size", "pool.maximum-pool-size")) {
            DriverPropertyInfo d = new DriverPropertyInfo("lagwise." + name, null);
            d.description = "In the settings file named by the URL";
            d.required = name.equals("master.url");
            out.add(d);
        }
        for (String name : LagwiseSettings.GLOBAL_NAMES) {
            DriverPropertyInfo d = new DriverPropertyInfo("lagwise." + name, null);
            d.description = "In the settings file named by the URL";
            out.add(d);
        }
        return out.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** False: a routing layer over MySQL and MariaDB drivers, not a driver of its own wire protocol. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Lagwise logs through SLF4J");
    }
}
