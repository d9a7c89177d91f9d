package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LagwiseDriver} and {@link LagwiseSettings} at their edges, found by a hostile review, without a
 * database server: passwords never echoed nor parsed, one data source per URL, user and password,
 * a slow cluster holding up no other URL, driver property names kept, values as Spring Boot binds them.
 * Unreachable nodes are 127.0.0.1:1 (refused at once) and, for the lock test, a local socket that
 * accepts and never answers.
 */
class LagwiseDriverEdgeTest {

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        LagwiseDriver.closeAll();
    }

    static Object field(Object o, String name) throws ReflectiveOperationException {
        Class<?> c = o.getClass();
        while (c != null) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                c = c.getSuperclass();
            }
        }
        throw new NoSuchFieldException(name);
    }

    static Map<String, String> minimal() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("lagwise.master.url", "jdbc:mariadb://127.0.0.1:1/app");
        return p;
    }

    static Properties creds(String user, String password) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    String file(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        return LagwiseDriver.PREFIX + "file:" + f;
    }

    /** A data source whose nodes are down but which builds (allow-degraded-start), quickly. */
    String degraded(String name) throws Exception {
        return file(name + ".properties",
                "lagwise.name=" + name,
                "lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app",
                "lagwise.allow-degraded-start=true",
                "lagwise.connect-timeout=200ms",
                "lagwise.pool.connection-timeout=250ms",
                "lagwise.monitor.probe-timeout=100ms");
    }

    static HikariDataSource masterPool(LagwiseDataSource ds) throws Exception {
        @SuppressWarnings("unchecked")
        List<Node> nodes = (List<Node>) field(ds, "nodes");
        return (HikariDataSource) field(nodes.get(0), "pool");
    }

    // ---- settings parsed differently from Spring Boot ------------------------------------------

    @Test
    void dataSourceProperties_keepTheDriversPropertyNames() throws Exception {
        Map<String, String> p = minimal();
        p.put("lagwise.pool.data-source-properties.cachePrepStmts", "true");
        p.put("lagwise.pool.data-source-properties.trackSessionState", "false");
        p.put("lagwise.master.pool.data-source-properties.allowPublicKeyRetrieval", "true");
        LagwiseDataSource.Builder b = LagwiseSettings.builder(p, "t", n -> null);
        PoolOptions pool = (PoolOptions) field(b, "pool");
        note("global dataSourceProperties = " + pool.dataSourceProperties);
        assertThat(pool.dataSourceProperties).containsKeys("cachePrepStmts", "trackSessionState");
    }

    @Test
    void springBootValues_bindAsSpringBindsThem() {
        List<String> refused = new ArrayList<>();
        for (String[] kv : new String[][] {
                {"lagwise.allow-degraded-start", "yes"}, {"lagwise.follow-promotions", "on"},
                {"lagwise.allow-degraded-start", "1"}, {"lagwise.consistency", "readYourWrites"},
                {"lagwise.pool.connection-timeout", ""}, {"lagwise.pool.maximum-pool-size", ""},
                {"lagwise.max-replication-lag", "+2s"}}) {
            Map<String, String> p = minimal();
            p.put(kv[0], kv[1]);
            try {
                LagwiseSettings.builder(p, "t", n -> null);
            } catch (RuntimeException e) {
                refused.add(e.getMessage());
            }
        }
        refused.forEach(m -> note("REFUSED: " + m));
        assertThat(refused).isEmpty();
    }

    @Test
    void anOverflowingDuration_isASettingsError_notAnArithmeticException() throws Exception {
        Map<String, String> p = minimal();
        p.put("lagwise.monitor.interval", "9999999999999999d");
        Throwable t = catchThrowable(() -> LagwiseSettings.builder(p, "t", n -> null));
        note("settings: " + t);
        String url = file("overflow.properties", "lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app",
                "lagwise.monitor.interval=9999999999999999d");
        Throwable d = catchThrowable(() -> new LagwiseDriver().connect(url, creds("app", "pw")));
        note("driver: " + d);
        assertThat(d).isInstanceOf(SQLException.class);
    }

    @Test
    void aLatin1File_asSpringBootReadsIt_isRead() throws Exception {
        Path f = dir.resolve("latin1.properties");
        Files.write(f, ("# replica in Troms\u00f8\nlagwise.master.url=jdbc:mariadb://127.0.0.1:1/app\nlagwise.no-such=1\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        Throwable t = catchThrowable(() -> new LagwiseDriver().connect(LagwiseDriver.PREFIX + "file:" + f, creds("app", "pw")));
        note("latin1: " + t);
        assertThat(t).hasMessageContaining("lagwise.no-such"); // Spring Boot would read it; a settings error expected
    }

    // ---- secrets in messages -----------------------------------------------------------------

    @Test
    void aPasswordUnderAWrongName_isNotEchoed() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (String key : List.of("spring.datasource.password", "lagwise.pasword", "lagwise.master.passwd",
                "lagwise.master.pwd", "lagwise.PASSWORD")) {
            String url = file("typo.properties", "lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app", key + "=hunter2");
            Throwable t = catchThrowable(() -> new LagwiseDriver().connect(url, creds("app", "pw")));
            if (t != null && String.valueOf(t.getMessage()).contains("hunter2")) {
                leaks.add(t.getMessage());
            }
        }
        leaks.forEach(m -> note("LEAK: " + m));
        assertThat(leaks).isEmpty();
    }

    @Test
    void aUrlWithAPassword_isNotEchoed() {
        List<String> leaks = new ArrayList<>();
        for (String url : List.of("jdbc:lagwise:mysql://db1:3306/app?user=app&password=hunter2",
                "jdbc:lagwise:file:/etc/app/lagwise.properties?password=hunter2")) {
            Throwable t = catchThrowable(() -> DriverManager.getConnection(url));
            note(url + " -> " + t);
            if (t != null && String.valueOf(t.getMessage()).contains("hunter2")) {
                leaks.add(t.getMessage());
            }
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void theToolsPassword_isTakenVerbatim_notAsAPlaceholder_andNotEchoed() throws Exception {
        String url = degraded("verbatim");
        // a legal password that happens to contain ${...}
        Throwable t = catchThrowable(() -> new LagwiseDriver().connect(url, creds("app", "${Tr0ub4dor}&3")));
        note("placeholder-like password: " + t);
        assertThat(t == null ? "" : t.getMessage()).doesNotContain("Tr0ub4dor");
        assertThat(t).isNull();
    }

    @Test
    void theToolsPassword_keepsItsSpaces() throws Exception {
        String url = degraded("spaces");
        try (Connection c = new LagwiseDriver().connect(url, creds("app", "  pass phrase  "))) {
            LagwiseDataSource ds = LagwiseDriver.dataSources().get(0);
            note("master pool password = [" + masterPool(ds).getPassword() + "]");
            assertThat(masterPool(ds).getPassword()).isEqualTo("  pass phrase  ");
        }
    }

    @Test
    void anUnreachableNode_messageAndLogs_neverShowThePassword() throws Exception {
        String url = file("down.properties", "lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app?password=hunter2",
                "lagwise.connect-timeout=200ms", "lagwise.pool.connection-timeout=250ms");
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Throwable t;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            t = catchThrowable(() -> new LagwiseDriver().connect(url, creds("app", null)));
            Thread.sleep(500);
        } finally {
            System.setErr(err);
        }
        note("unreachable: " + t);
        String logs = log.toString(StandardCharsets.UTF_8);
        note("captured log chars: " + logs.length());
        assertThat(t).isInstanceOf(SQLException.class).hasMessageContaining("down.properties")
                .hasMessageNotContaining("hunter2");
        assertThat(logs).doesNotContain("hunter2");
    }

    // ---- credentials and sharing ---------------------------------------------------------------

    @Test
    void aWrongPassword_doesNotGetTheDataSourceBuiltWithTheRightOne() throws Exception {
        String url = degraded("shared");
        Connection right = new LagwiseDriver().connect(url, creds("app", "right"));
        Throwable wrong = catchThrowable(() -> new LagwiseDriver().connect(url, creds("app", "WRONG")).close());
        List<LagwiseDataSource> sources = LagwiseDriver.dataSources();
        note("second connect with WRONG password -> " + wrong + "; data sources: " + sources.size()
                + "; master pool password: " + masterPool(sources.get(0)).getPassword());
        right.close();
        // either the wrong password is refused, or it gets a data source of its own
        assertThat(wrong != null || sources.size() == 2).isTrue();
    }

    @Test
    void aPasswordInTheNodesUrl_winsOverTheToolsPassword() throws Exception {
        String url = file("urlpw.properties", "lagwise.master.url=jdbc:mariadb://127.0.0.1:1/app?password=fromfile",
                "lagwise.allow-degraded-start=true", "lagwise.connect-timeout=200ms", "lagwise.pool.connection-timeout=250ms",
                "lagwise.monitor.probe-timeout=100ms");
        Throwable t = catchThrowable(() -> new LagwiseDriver().connect(url, creds("app", "fromtool")).close());
        note("url password + tool password -> " + t);
        assertThat(t).isNull();
    }

    // ---- the class lock -------------------------------------------------------------------------

    @Test
    void oneHangingCluster_doesNotStallConnectionsToAnother() throws Exception {
        String healthy = degraded("healthy");
        new LagwiseDriver().connect(healthy, creds("app", "pw")).close(); // built and cached
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepts, never answers the handshake
                    }
                } catch (Exception ignored) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String hanging = file("hanging.properties", "lagwise.name=hanging",
                    "lagwise.master.url=jdbc:mariadb://127.0.0.1:" + silent.getLocalPort() + "/app",
                    "lagwise.connect-timeout=3s", "lagwise.pool.connection-timeout=3s");
            CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> {
                try {
                    new LagwiseDriver().connect(hanging, creds("app", "pw")).close();
                } catch (SQLException e) {
                    // expected: it cannot connect
                }
            });
            Thread.sleep(300); // the slow build holds the lock now
            long t0 = System.nanoTime();
            new LagwiseDriver().connect(healthy, creds("app", "pw")).close();
            long cachedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            LagwiseDriver.dataSources();
            long listMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
            note("connect to the already built healthy data source took " + cachedMs
                    + " ms while another URL was building; dataSources() took " + listMs + " ms");
            slow.get(30, TimeUnit.SECONDS);
            assertThat(cachedMs).isLessThan(500);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void placeholders_resolveAsSpringResolvesThem() throws Exception {
        Map<String, String> p = minimal();
        p.put("lagwise.password", "${LAGWISE_PW:${LAGWISE_PW_FALLBACK:dflt}}"); // nested default
        LagwiseDataSource.Builder b = LagwiseSettings.builder(p, "t", n -> null);
        note("nested default resolved to [" + field(b, "password") + "]");
        Map<String, String> q = minimal();
        q.put("lagwise.password", "${db.password}"); // Spring: the environment variable DB_PASSWORD
        Throwable t = catchThrowable(() -> LagwiseSettings.builder(q, "t", n -> n.equals("DB_PASSWORD") ? "x" : null));
        note("relaxed env name: " + t);
        assertThat(field(b, "password")).isEqualTo("dflt");
        assertThat(t).isNull();
    }

    /** What a test saw, kept in the test report. */
    private static void note(Object what) {
        System.out.println(what);
    }
}
