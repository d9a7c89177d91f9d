package io.lagwise.jdbc;

import com.zaxxer.hikari.HikariConfig;
import io.lagwise.core.NodeRole;
import io.lagwise.core.Ticker;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.SocketTimeoutException;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * A fake MariaDB server for tests of the routing glue without a database, in the spirit of HikariCP's
 * {@code StubDataSource}/{@code StubConnection}: a {@link DataSource} that hands out
 * {@link Proxy} connections, statements and result sets. It
 *
 * <ul>
 *   <li>records every statement sent to it ({@link Executed}: which of its connections, which thread,
 *       which parameters), failed ones included, and every call on a connection that is not a
 *       statement ({@link Call}: prepares with their SQL, setters, commit, rollback, abort,
 *       close);</li>
 *   <li>answers the queries the router sends itself: {@code SELECT @@last_gtid},
 *       {@code SELECT @@gtid_binlog_pos}, {@code SELECT MASTER_GTID_WAIT(?, ?)} (0, -1 or NULL, as
 *       set), {@code SELECT @@server_id}; any other query returns one row holding 1;</li>
 *   <li>fails on demand ({@link #failNext}, {@link #failOn}): the next statement, or the next one whose
 *       SQL starts with a prefix, or the next call of a connection method (commit), with the error
 *       given ({@link #linkFailure()}, {@link #connectionReset()}, {@link #socketTimeout()},
 *       {@link #duplicateKey()}), optionally running something first ({@code during}: the monitor
 *       answering while the statement ran); and refuses new connections while told to.</li>
 * </ul>
 *
 * A node over it ({@link #node}) has a real HikariCP pool, so the router's borrow, release and
 * eviction run as in production. Thread-safe where the pool's threads touch it.
 */
final class FakeServer {

    /**
     * One statement sent to a server: on which of its connections, on which thread, with which
     * parameters (index to setter name and arguments), in which catalog (the session settings
     * reached the connection before it, or not).
     */
    record Executed(String server, int connection, String sql, Map<Integer, List<Object>> parameters, String thread,
            String catalog) {}

    /** One call on a server connection that is not a statement, with its arguments (an executor shows as "executor"). */
    record Call(String server, int connection, String method, List<Object> args) {
        /** {@code setTransactionIsolation(8)}: what tests compare. */
        String text() {
            StringBuilder b = new StringBuilder(method).append('(');
            for (int i = 0; i < args.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(args.get(i));
            }
            return b.append(')').toString();
        }
    }

    private record Failure(Predicate<String> statement, String method, SQLException error, Runnable during) {}

    final String name;
    private final List<Executed> journal;
    private final AtomicInteger ids;
    private final List<Executed> executed = Collections.synchronizedList(new ArrayList<>());
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Failure> failures = new ArrayDeque<>();

    volatile String lastGtid = "0-1-5";
    volatile String binlogPosition = "0-1-7";
    /** What {@code MASTER_GTID_WAIT} returns: 0 applied, -1 timed out, null (NULL) an error. */
    volatile Integer waitResult = 0;
    /** Runs as a {@code MASTER_GTID_WAIT} is answered (e.g. a fake ticker advancing: the wait took that long). */
    volatile Runnable duringWait = () -> { };
    volatile int serverId;
    volatile boolean refuseConnections;
    /** When set, new connections fail with this instead (a server that answers but refuses the session). */
    volatile SQLException refuseWith;
    volatile boolean valid = true;
    private final AtomicInteger opened = new AtomicInteger();

    /**
     * @param journal where every server of a test records its statements, in order (shared)
     * @param ids numbers the connections of every server of a test (shared): a connection's id says which server connection ran a statement
     */
    FakeServer(String name, int serverId, List<Executed> journal, AtomicInteger ids) {
        this.name = name;
        this.serverId = serverId;
        this.journal = journal;
        this.ids = ids;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors a driver throws

    /** What MySQL Connector/J throws when the link breaks: SQLState 08S01. */
    static SQLException linkFailure() {
        return new SQLException("Communications link failure", "08S01");
    }

    /** What MariaDB Connector/J throws when the server went away: a connection exception type, state 08000. */
    static SQLException connectionReset() {
        return new SQLNonTransientConnectionException("(conn=7) Connection reset", "08000");
    }

    /** A read that ran past its socket timeout: the cause says so. */
    static SQLException socketTimeout() {
        return new SQLException("(conn=7) Socket error", "HY000", new SocketTimeoutException("Read timed out"));
    }

    /** The statement's own error: says nothing about the server. */
    static SQLException duplicateKey() {
        return new SQLIntegrityConstraintViolationException("Duplicate entry '1' for key 'PRIMARY'", "23000", 1062);
    }

    // ---------------------------------------------------------------------------------------------
    // Switches

    /** The next statement sent here, whatever it is, fails with {@code error}. */
    FakeServer failNext(SQLException error) {
        return failNext(sql -> true, error, null);
    }

    /** The next statement whose SQL starts with {@code prefix} (ignoring case) fails with {@code error}. */
    FakeServer failNext(String prefix, SQLException error) {
        return failNext(prefix, error, null);
    }

    /** As above, running {@code during} first, as if it happened while the statement ran. */
    FakeServer failNext(String prefix, SQLException error, Runnable during) {
        String p = prefix.toUpperCase(Locale.ROOT);
        return failNext(sql -> sql.strip().toUpperCase(Locale.ROOT).startsWith(p), error, during);
    }

    private FakeServer failNext(Predicate<String> statement, SQLException error, Runnable during) {
        synchronized (failures) {
            failures.add(new Failure(statement, null, error, during));
        }
        return this;
    }

    /** The next call of connection method {@code method} ({@code "commit"}, {@code "setAutoCommit"}…) fails with {@code error}. */
    FakeServer failOn(String method, SQLException error) {
        return failOn(method, error, null);
    }

    /** As above, running {@code during} first, as if it happened while the call ran (e.g. a commit that hangs). */
    FakeServer failOn(String method, SQLException error, Runnable during) {
        synchronized (failures) {
            failures.add(new Failure(null, method, error, during));
        }
        return this;
    }

    private void maybeFail(String sql, String method) throws SQLException {
        Failure hit = null;
        synchronized (failures) {
            for (Failure f : failures) {
                if (sql != null ? f.statement != null && f.statement.test(sql) : method.equals(f.method)) {
                    hit = f;
                    break;
                }
            }
            if (hit != null) {
                failures.remove(hit);
            }
        }
        if (hit != null) {
            if (hit.during != null) {
                hit.during.run();
            }
            throw hit.error;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What happened here

    /** Every statement sent here, in order. */
    List<Executed> executed() {
        synchronized (executed) {
            return List.copyOf(executed);
        }
    }

    /** The statements sent here whose SQL starts with {@code prefix} (ignoring case). */
    List<Executed> executed(String prefix) {
        String p = prefix.toUpperCase(Locale.ROOT);
        return executed().stream().filter(e -> e.sql.strip().toUpperCase(Locale.ROOT).startsWith(p)).toList();
    }

    /** How many statements starting with {@code prefix} were sent here. */
    int count(String prefix) {
        return executed(prefix).size();
    }

    /** The SQL texts sent here, in order. */
    List<String> sqls() {
        return executed().stream().map(Executed::sql).toList();
    }

    /** Every non-statement call on this server's connections, in order. */
    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The calls on connection {@code id}, as text ({@code setCatalog(app)}). */
    List<String> calls(int id) {
        return calls().stream().filter(c -> c.connection == id).map(Call::text).toList();
    }

    /** Connections made to this server so far. */
    int connectionsOpened() {
        return opened.get();
    }

    // ---------------------------------------------------------------------------------------------
    // The driver

    /** A node for this server with a real HikariCP pool over {@link #dataSource()}: no monitor runs; set its fields by hand. */
    Node node(NodeRole role, String region, Ticker ticker) {
        HikariConfig c = new HikariConfig();
        c.setDataSource(dataSource());
        c.setPoolName("fake." + name);
        c.setMaximumPoolSize(4);
        c.setMinimumIdle(0);
        c.setInitializationFailTimeout(-1);
        c.setConnectionTimeout(250); // HikariCP's minimum: a refused connection costs this much
        c.setValidationTimeout(250);
        Node node = new Node("test", JdbcUrl.parse("jdbc:mariadb://" + name + ":3306/app"), role, region, false, c,
                new Properties(), ticker);
        node.dialect = ServerDialect.MARIADB; // what the start-up check would have found
        return node;
    }

    DataSource dataSource() {
        return proxy(DataSource.class, (self, m, args) -> switch (m.getName()) {
            case "getConnection" -> connect();
            case "toString" -> "FakeDataSource[" + name + "]";
            case "hashCode" -> System.identityHashCode(self);
            case "equals" -> self == args[0];
            case "isWrapperFor" -> false;
            default -> defaultValue(m);
        });
    }

    private Connection connect() throws SQLException {
        if (refuseWith != null) {
            throw refuseWith;
        }
        if (refuseConnections) {
            throw new SQLNonTransientConnectionException("Could not connect to " + name + ":3306: Connection refused",
                    "08000", new java.net.ConnectException("Connection refused"));
        }
        opened.incrementAndGet();
        return new FakeConnection(ids.incrementAndGet()).proxy;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler h) {
        return (T) Proxy.newProxyInstance(FakeServer.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object defaultValue(Method m) {
        Class<?> t = m.getReturnType();
        if (t == boolean.class) {
            return false;
        }
        if (t == int.class) {
            return 0;
        }
        if (t == long.class) {
            return 0L;
        }
        if (t == double.class) {
            return 0.0;
        }
        if (t == float.class) {
            return 0.0f;
        }
        if (t == short.class) {
            return (short) 0;
        }
        if (t == byte.class) {
            return (byte) 0;
        }
        return null;
    }

    /** What a query answers: one row, one column. */
    private Object answer(String sql) {
        String s = sql.toUpperCase(Locale.ROOT);
        if (s.contains("@@LAST_GTID")) {
            return lastGtid;
        }
        if (s.contains("@@GTID_BINLOG_POS")) {
            return binlogPosition;
        }
        if (s.contains("MASTER_GTID_WAIT")) {
            duringWait.run();
            return waitResult;
        }
        if (s.contains("@@SERVER_ID")) {
            return serverId;
        }
        return 1;
    }

    private static boolean isQuery(String sql) {
        String s = sql.strip().toUpperCase(Locale.ROOT);
        return s.startsWith("SELECT") || s.startsWith("SHOW") || s.startsWith("WITH") || s.startsWith("(")
                || s.startsWith("{CALL") || s.startsWith("CALL");
    }

    /** One connection to this server, with the session state a driver keeps. */
    private final class FakeConnection implements InvocationHandler {
        final int id;
        final Connection proxy;
        boolean autoCommit = true;
        boolean readOnly;
        int isolation = Connection.TRANSACTION_REPEATABLE_READ;
        String catalog = "app";
        String schema;
        int networkTimeout;
        int holdability = ResultSet.HOLD_CURSORS_OVER_COMMIT;
        Properties clientInfo = new Properties();
        volatile boolean closed;

        FakeConnection(int id) {
            this.id = id;
            this.proxy = proxy(Connection.class, this);
        }

        @Override
        public Object invoke(Object self, Method m, Object[] args) throws Throwable {
            String method = m.getName();
            switch (method) {
                case "toString":
                    return "FakeConnection[" + name + "#" + id + "]";
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                case "isClosed":
                    return closed;
                case "isValid":
                    return valid && !closed;
                case "close":
                    if (!closed) {
                        closed = true;
                        record(method, args);
                    }
                    return null;
                case "abort":
                    closed = true;
                    record(method, args);
                    return null;
                case "isWrapperFor":
                    return false;
                case "unwrap":
                    throw new SQLException("not a wrapper for " + args[0]);
                default:
                    break;
            }
            if (closed) {
                throw new SQLNonTransientConnectionException("(conn=" + id + ") Connection is closed", "08003");
            }
            switch (method) {
                case "createStatement":
                    return new FakeStatement(this, null, Statement.class).proxy;
                case "prepareStatement":
                    record(method, new Object[] {args[0]});
                    return new FakeStatement(this, (String) args[0], PreparedStatement.class).proxy;
                case "prepareCall":
                    record(method, new Object[] {args[0]});
                    return new FakeStatement(this, (String) args[0], CallableStatement.class).proxy;
                case "getAutoCommit":
                    return autoCommit;
                case "isReadOnly":
                    return readOnly;
                case "getTransactionIsolation":
                    return isolation;
                case "getCatalog":
                    return catalog;
                case "getSchema":
                    return schema;
                case "getNetworkTimeout":
                    return networkTimeout;
                case "getHoldability":
                    return holdability;
                case "getClientInfo":
                    return args == null ? clientInfo : clientInfo.getProperty((String) args[0]);
                case "nativeSQL":
                    return args[0];
                case "getWarnings":
                case "clearWarnings":
                    return null;
                default:
                    break;
            }
            record(method, args);
            maybeFail(null, method);
            switch (method) {
                case "setAutoCommit" -> autoCommit = (Boolean) args[0];
                case "setReadOnly" -> readOnly = (Boolean) args[0];
                case "setTransactionIsolation" -> isolation = (Integer) args[0];
                case "setCatalog" -> catalog = (String) args[0];
                case "setSchema" -> schema = (String) args[0];
                case "setNetworkTimeout" -> networkTimeout = (Integer) args[1];
                case "setHoldability" -> holdability = (Integer) args[0];
                case "setClientInfo" -> {
                    if (args.length == 1) {
                        clientInfo = new Properties();
                        clientInfo.putAll((Properties) args[0]);
                    } else {
                        clientInfo.setProperty((String) args[0], (String) args[1]);
                    }
                }
                default -> {
                    // commit, rollback, savepoints, setTypeMap: recorded, nothing to keep
                }
            }
            return defaultValue(m);
        }

        private void record(String method, Object[] args) {
            List<Object> a = new ArrayList<>();
            if (args != null) {
                for (Object o : args) {
                    a.add(o == null ? "null" : o instanceof java.util.concurrent.Executor ? "executor"
                            : o instanceof Properties p ? new TreeMap<>(p) : o);
                }
            }
            calls.add(new Call(name, id, method, List.copyOf(a)));
        }
    }

    /** A statement, prepared statement or callable statement of one connection. */
    private final class FakeStatement implements InvocationHandler {
        final FakeConnection connection;
        final String prepared;
        final Object proxy;
        final Map<Integer, List<Object>> parameters = new TreeMap<>();
        final List<String> batch = new ArrayList<>();
        final List<Map<Integer, List<Object>>> batchParameters = new ArrayList<>();
        ResultSet result;
        int updateCount = -1;
        boolean closed;

        FakeStatement(FakeConnection connection, String prepared, Class<? extends Statement> type) {
            this.connection = connection;
            this.prepared = prepared;
            this.proxy = FakeServer.proxy(type, this);
        }

        @Override
        public Object invoke(Object self, Method m, Object[] args) throws Throwable {
            String method = m.getName();
            switch (method) {
                case "toString":
                    return "FakeStatement[" + name + "#" + connection.id + (prepared != null ? ": " + prepared : "") + "]";
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                case "close":
                    closed = true;
                    return null;
                case "isClosed":
                    return closed;
                case "getConnection":
                    return connection.proxy;
                case "isWrapperFor":
                    return false;
                default:
                    break;
            }
            if (connection.closed) { // as MariaDB Connector/J says it
                throw new SQLNonTransientConnectionException("(conn=" + connection.id + ") Connection is closed", "08000");
            }
            if (closed) {
                throw new SQLException("statement is closed", "HY010");
            }
            boolean hasSql = args != null && args.length > 0 && args[0] instanceof String;
            switch (method) {
                case "executeQuery":
                case "execute":
                case "executeUpdate":
                case "executeLargeUpdate": {
                    String sql = hasSql ? (String) args[0] : prepared;
                    run(sql, parameters);
                    boolean query = isQuery(sql);
                    result = query ? resultSet(answer(sql)) : null;
                    updateCount = query ? -1 : 1;
                    return switch (method) {
                        case "executeQuery" -> result;
                        case "execute" -> query;
                        case "executeUpdate" -> 1;
                        default -> 1L;
                    };
                }
                case "addBatch":
                    batch.add(hasSql ? (String) args[0] : prepared);
                    batchParameters.add(new TreeMap<>(parameters));
                    return null;
                case "clearBatch":
                    batch.clear();
                    batchParameters.clear();
                    return null;
                case "executeBatch":
                case "executeLargeBatch": {
                    List<String> texts = List.copyOf(batch);
                    List<Map<Integer, List<Object>>> params = List.copyOf(batchParameters);
                    batch.clear();
                    batchParameters.clear();
                    for (int i = 0; i < texts.size(); i++) {
                        run(texts.get(i), params.get(i));
                    }
                    if (method.equals("executeBatch")) {
                        int[] counts = new int[texts.size()];
                        Arrays.fill(counts, 1);
                        return counts;
                    }
                    long[] counts = new long[texts.size()];
                    Arrays.fill(counts, 1L);
                    return counts;
                }
                case "getResultSet":
                    return result;
                case "getUpdateCount":
                    return updateCount;
                case "getLargeUpdateCount":
                    return (long) updateCount;
                case "getMoreResults":
                    result = null;
                    updateCount = -1;
                    return false;
                case "clearParameters":
                    parameters.clear();
                    return null;
                case "registerOutParameter":
                    return null;
                default:
                    break;
            }
            if (method.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer i
                    && prepared != null) {
                List<Object> value = new ArrayList<>();
                value.add(method);
                for (int k = 1; k < args.length; k++) {
                    value.add(args[k]);
                }
                parameters.put(i, value);
                return null;
            }
            if (method.startsWith("get") && prepared != null && m.getDeclaringClass() == CallableStatement.class) {
                return m.getReturnType() == String.class ? String.valueOf(serverId)
                        : m.getReturnType() == int.class ? serverId : defaultValue(m); // OUT parameters: where it ran
            }
            return defaultValue(m);
        }

        private void run(String sql, Map<Integer, List<Object>> params) throws SQLException {
            Executed e = new Executed(name, connection.id, sql, Map.copyOf(params), Thread.currentThread().getName(),
                    connection.catalog);
            executed.add(e);
            journal.add(e);
            maybeFail(sql, null);
        }

        private ResultSet resultSet(Object value) {
            Object statement = proxy;
            boolean[] state = new boolean[3]; // [0] next called once, [1] closed, [2] last read was NULL
            return proxy(ResultSet.class, (self, m, args) -> {
                switch (m.getName()) {
                    case "next":
                        boolean row = !state[0];
                        state[0] = true;
                        return row;
                    case "close":
                        state[1] = true;
                        return null;
                    case "isClosed":
                        return state[1];
                    case "wasNull":
                        return state[2];
                    case "getStatement":
                        return statement;
                    case "findColumn":
                        return 1;
                    case "toString":
                        return "FakeResultSet[" + value + "]";
                    case "hashCode":
                        return System.identityHashCode(self);
                    case "equals":
                        return self == args[0];
                    default:
                        break;
                }
                if (m.getName().startsWith("get") && args != null && args.length >= 1) {
                    state[2] = value == null;
                    Class<?> t = m.getReturnType();
                    if (value == null) {
                        return defaultValue(m);
                    }
                    if (t == String.class) {
                        return String.valueOf(value);
                    }
                    if (t == int.class) {
                        return Integer.parseInt(String.valueOf(value));
                    }
                    if (t == long.class) {
                        return Long.parseLong(String.valueOf(value));
                    }
                    if (t == Object.class) {
                        return value;
                    }
                }
                return defaultValue(m);
            });
        }
    }
}
