package io.lagwise.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
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
import java.util.HashMap;
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

    private static final Map<String, LagwiseDataSource> SOURCES = new HashMap<>();
    private static boolean hooked;

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

    private static synchronized LagwiseDataSource dataSource(String url, String user, String password) throws SQLException {
        String key = url + '\u0000' + (user == null ? "" : user);
        LagwiseDataSource ds = SOURCES.get(key);
        if (ds != null && !ds.isClosed()) {
            return ds;
        }
        ds = build(url, user, password);
        SOURCES.put(key, ds);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(LagwiseDriver::closeAll, "lagwise-driver-shutdown"));
        }
        return ds;
    }

    /** Builds the data source a URL names, with the tool's user and password for every node. */
    static LagwiseDataSource build(String url, String user, String password) throws SQLException {
        String where = url.substring(PREFIX.length());
        Map<String, String> properties = read(url, where);
        if (user != null && !user.isEmpty()) {
            properties.put("lagwise.username", user);
        }
        if (password != null && !password.isEmpty()) {
            properties.put("lagwise.password", password);
        }
        properties.putIfAbsent("lagwise.name", "lagwise");
        LagwiseDataSource.Builder b;
        try {
            b = LagwiseSettings.builder(properties, where);
        } catch (LagwiseSettingsException e) {
            throw new SQLException(e.getMessage(), "HY000", e);
        }
        try {
            return b.build();
        } catch (InvalidSettingException e) {
            throw new SQLException(where + ": " + e.getMessage() + " (setting " + e.setting() + ")", "HY000", e);
        } catch (ConflictingSettingsException e) {
            throw new SQLException(where + ": " + e.getMessage(), "HY000", e);
        } catch (SQLException e) {
            throw new SQLException(where + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    private static Map<String, String> read(String url, String where) throws SQLException {
        Properties p = new Properties();
        if (where.startsWith("file:")) {
            Path file = Path.of(where.substring("file:".length()));
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new SQLException("cannot read the Lagwise settings file " + file + " of " + url + ": " + e, "08001", e);
            }
        } else if (where.startsWith("classpath:")) {
            String resource = where.substring("classpath:".length());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in = (loader != null ? loader : LagwiseDriver.class.getClassLoader()).getResourceAsStream(
                    resource.startsWith("/") ? resource.substring(1) : resource);
            if (in == null) {
                throw new SQLException("cannot read the Lagwise settings resource " + resource + " of " + url + ": not on the class path", "08001");
            }
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new SQLException("cannot read the Lagwise settings resource " + resource + " of " + url + ": " + e, "08001", e);
            }
        } else {
            throw new SQLException("a Lagwise URL names its settings: " + PREFIX + "file:/path/lagwise.properties or "
                    + PREFIX + "classpath:lagwise.properties, not " + url, "08001");
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
    public static synchronized void closeAll() {
        for (LagwiseDataSource ds : SOURCES.values()) {
            ds.close();
        }
        SOURCES.clear();
    }

    /** The data sources built so far (a copy), for tests and diagnostics. */
    static synchronized List<LagwiseDataSource> dataSources() {
        return new ArrayList<>(SOURCES.values());
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
