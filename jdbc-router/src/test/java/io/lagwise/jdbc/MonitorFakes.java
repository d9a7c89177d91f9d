package io.lagwise.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** A fake JDBC driver for the monitor's own connections (DriverManager), per host. */
final class MonitorFakes {

    /** What one server says to the monitor. */
    static final class Server {
        volatile long serverId;
        volatile boolean readOnly;
        /** Master_Server_Id, or -1: no replication configured (empty SHOW SLAVE STATUS). */
        volatile long sourceId = -1;
        volatile String ioRunning = "Yes";
        /** Slave_SQL_Running ("No" with ioRunning "No": STOP SLAVE, or skip_replica_start after a restart). */
        volatile String sqlRunning = "Yes";
        volatile boolean down;
        volatile String position = "0-1-10";
        /** When set, the next gtid_binlog_pos query waits on it (counting down entered first). */
        volatile CountDownLatch entered;
        volatile CountDownLatch release;
        final List<String> statements = Collections.synchronizedList(new ArrayList<>());

        Server(long serverId, boolean readOnly, long sourceId) {
            this.serverId = serverId;
            this.readOnly = readOnly;
            this.sourceId = sourceId;
        }

        long count(String prefix) {
            synchronized (statements) {
                return statements.stream().filter(s -> s.startsWith(prefix)).count();
            }
        }
    }

    static final Map<String, Server> SERVERS = new ConcurrentHashMap<>();
    private static final List<Driver> removed = new ArrayList<>();
    private static final Driver FAKE = new FakeDriver();

    static void install() throws SQLException {
        for (Driver d : Collections.list(DriverManager.getDrivers())) {
            DriverManager.deregisterDriver(d);
            removed.add(d);
        }
        DriverManager.registerDriver(FAKE);
    }

    static void uninstall() throws SQLException {
        DriverManager.deregisterDriver(FAKE);
        for (Driver d : removed) {
            DriverManager.registerDriver(d);
        }
        removed.clear();
        SERVERS.clear();
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler h) {
        return (T) Proxy.newProxyInstance(MonitorFakes.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    static final class FakeDriver implements Driver {
        @Override
        public Connection connect(String url, Properties info) throws SQLException {
            if (!acceptsURL(url)) {
                return null;
            }
            String host = url.substring("jdbc:mariadb://".length());
            host = host.substring(0, host.indexOf(':'));
            Server s = SERVERS.get(host);
            if (s == null || s.down) {
                throw new SQLNonTransientConnectionException("Could not connect to " + host + ": Connection refused", "08000",
                        new java.net.ConnectException("Connection refused"));
            }
            return connection(s);
        }

        @Override
        public boolean acceptsURL(String url) {
            return url != null && url.startsWith("jdbc:mariadb://");
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
            return new DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 1;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }
    }

    static Connection connection(Server s) {
        boolean[] closed = new boolean[1];
        return proxy(Connection.class, (self, m, args) -> switch (m.getName()) {
            case "getMetaData" -> proxy(DatabaseMetaData.class, (s2, m2, a2) -> m2.getName().equals("getDatabaseProductVersion")
                    ? "10.11.6-MariaDB" : null);
            case "createStatement" -> statement(s, null);
            case "prepareStatement" -> statement(s, (String) args[0]);
            case "close" -> {
                closed[0] = true;
                yield null;
            }
            case "isClosed" -> closed[0];
            case "hashCode" -> System.identityHashCode(self);
            case "equals" -> self == args[0];
            case "toString" -> "MonitorConnection[" + s.serverId + "]";
            default -> null;
        });
    }

    private static Object statement(Server s, String prepared) {
        Class<? extends Statement> type = prepared == null ? Statement.class : PreparedStatement.class;
        return proxy(type, (self, m, args) -> {
            String name = m.getName();
            switch (name) {
                case "executeQuery", "execute", "executeUpdate" -> {
                    String sql = args != null && args.length > 0 && args[0] instanceof String str ? str : prepared;
                    s.statements.add(sql);
                    if (s.down) {
                        throw new SQLException("Read timed out", "08S01", new java.net.SocketTimeoutException("Read timed out"));
                    }
                    Object r = run(s, sql);
                    return switch (name) {
                        case "executeQuery" -> r;
                        case "execute" -> r instanceof ResultSet;
                        default -> 1;
                    };
                }
                case "hashCode" -> {
                    return System.identityHashCode(self);
                }
                case "equals" -> {
                    return self == args[0];
                }
                default -> {
                    return zero(m.getReturnType());
                }
            }
        });
    }

    private static Object run(Server s, String sql) throws Exception {
        String u = sql.toUpperCase(java.util.Locale.ROOT);
        if (u.startsWith("REPLACE INTO") || u.startsWith("INSERT") || u.startsWith("UPDATE")) {
            if (s.readOnly) {
                throw new SQLException("The MariaDB server is running with the --read-only option so it cannot execute this statement", "HY000", 1290);
            }
            return 1;
        }
        if (u.startsWith("CREATE")) {
            return 0;
        }
        if (u.contains("@@GTID_BINLOG_POS")) {
            CountDownLatch in = s.entered;
            CountDownLatch out = s.release;
            if (in != null && out != null) {
                s.entered = null;
                in.countDown();
                out.await();
            }
            return rows(Map.of(1, s.position));
        }
        if (u.contains("@@GTID_SLAVE_POS") || u.contains("@@LAST_GTID")) {
            return rows(Map.of(1, s.position));
        }
        if (u.contains("MASTER_GTID_WAIT")) {
            return rows(Map.of(1, 0));
        }
        if (u.contains("@@SERVER_ID")) {
            return rows(Map.of(1, s.serverId, 2, s.readOnly ? 1 : 0));
        }
        if (u.startsWith("SHOW SLAVE STATUS")) {
            if (s.sourceId < 0) {
                return rows(null);
            }
            Map<Object, Object> row = new java.util.HashMap<>();
            row.put("Slave_IO_Running", s.ioRunning);
            row.put("Slave_SQL_Running", s.sqlRunning);
            row.put("Seconds_Behind_Master", 0);
            row.put("Last_IO_Error", "");
            row.put("Last_SQL_Error", "");
            row.put("Master_Server_Id", s.sourceId);
            return rows(row);
        }
        return rows(Map.of(1, 1));
    }

    private static ResultSet rows(Map<?, ?> row) {
        boolean[] state = new boolean[2]; // next called, last null
        return proxy(ResultSet.class, (self, m, args) -> {
            switch (m.getName()) {
                case "next" -> {
                    boolean r = row != null && !state[0];
                    state[0] = true;
                    return r;
                }
                case "wasNull" -> {
                    return state[1];
                }
                case "close" -> {
                    return null;
                }
                case "hashCode" -> {
                    return System.identityHashCode(self);
                }
                case "equals" -> {
                    return self == args[0];
                }
                default -> {
                }
            }
            if (m.getName().startsWith("get") && args != null && args.length == 1) {
                Object v = row.get(args[0]);
                state[1] = v == null;
                Class<?> t = m.getReturnType();
                if (t == String.class) {
                    return v == null ? null : String.valueOf(v);
                }
                if (t == long.class) {
                    return v == null ? 0L : Long.parseLong(String.valueOf(v));
                }
                if (t == int.class) {
                    return v == null ? 0 : Integer.parseInt(String.valueOf(v));
                }
                if (t == boolean.class) {
                    return v != null && !"0".equals(String.valueOf(v));
                }
                return v;
            }
            return zero(m.getReturnType());
        });
    }

    static Object zero(Class<?> t) {
        if (t == boolean.class) {
            return false;
        }
        if (t == int.class) {
            return 0;
        }
        if (t == long.class) {
            return 0L;
        }
        return null;
    }
}
