package io.lagwise.spring.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.RoutingStats;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology;
import io.lagwise.testkit.WithReplicationTopology.Replica;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot web app (MVC, JPA, JdbcTemplate, Actuator) on Lagwise over a topology whose
 * replicas trail the master by 40 ms. Instance A uses MariaDB Connector/J; instance B, started
 * beside it, uses MySQL Connector/J. They share nothing but what the client carries: the
 * consistency cookie, or the header.
 */
@WithReplicationTopology(replicas = {@Replica(region = "oslo"), @Replica(region = "frankfurt", clientDelayMillis = 20)},
        replicationDelayMillis = 40)
@SpringBootTest(classes = ShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ShopWebAppTest {

    static final int PAIRS = 200;
    static final String HEADER = "Lagwise-Consistency";
    static ReplicationTopology topology;
    static ConfigurableApplicationContext instanceB;

    @LocalServerPort
    int port;

    @Autowired
    NoteService service;

    @Autowired
    NoteRepository repository;

    @Autowired
    LagwiseDataSource dataSource;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void topology(ReplicationTopology t) {
        topology = t;
    }

    @AfterAll
    static void stopInstanceB() {
        if (instanceB != null) {
            instanceB.close();
        }
    }

    @DynamicPropertySource
    static void lagwise(DynamicPropertyRegistry registry) {
        properties(JdbcDriver.MARIADB).forEach((k, v) -> registry.add(k, () -> v));
    }

    static Map<String, String> properties(JdbcDriver driver) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("lagwise.name", "shop-" + driver.name().toLowerCase());
        p.put("lagwise.master.url", topology.master().jdbcUrl(driver));
        p.put("lagwise.replicas[0].url", topology.node("oslo").jdbcUrl(driver));
        p.put("lagwise.replicas[0].region", "oslo");
        p.put("lagwise.replicas[1].url", topology.node("frankfurt").jdbcUrl(driver));
        p.put("lagwise.replicas[1].region", "frankfurt");
        p.put("lagwise.replicas[1].backup", "true");
        p.put("lagwise.username", topology.username());
        p.put("lagwise.password", topology.password());
        p.put("lagwise.local-region", "oslo");
        p.put("lagwise.pool.maximum-pool-size", "4");
        p.put("spring.jpa.hibernate.ddl-auto", "update");
        p.put("spring.jpa.open-in-view", "false");
        // MySQL Connector/J reports a MariaDB server as "MySQL 5.5.5": name the dialect.
        p.put("spring.jpa.database-platform", "org.hibernate.dialect.MariaDBDialect");
        p.put("management.endpoints.web.exposure.include", "health,metrics");
        p.put("management.endpoint.health.show-details", "always");
        return p;
    }

    private int instanceBPort() {
        if (instanceB == null) {
            List<String> args = new ArrayList<>();
            properties(JdbcDriver.MYSQL).forEach((k, v) -> args.add(k + "=" + v));
            args.add("server.port=0");
            instanceB = new SpringApplicationBuilder(ShopApplication.class).properties(args.toArray(String[]::new)).run();
        }
        return Integer.parseInt(instanceB.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void transactionsAndAutoCommitReads_routeAsPromised() throws Exception {
        int master = topology.master().serverId();
        int oslo = topology.node("oslo").serverId();
        assertThat(service.readOnlyServerId()).as("JdbcTemplate, @Transactional(readOnly = true)").isEqualTo(oslo);
        assertThat(service.readWriteServerId()).as("JdbcTemplate, @Transactional").isEqualTo(master);
        assertThat(service.autoCommitServerId()).as("JdbcTemplate, no transaction").isEqualTo(oslo);
        assertThat(repository.serverId()).as("JPA repository, read-only").isEqualTo(oslo);
        assertThat(repository.strongServerId()).as("@ReadConsistency(STRONG) on the repository interface")
                .isEqualTo(master);

        long id = service.create("routed");
        try (Connection c = topology.master().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT text FROM shop_note WHERE id = " + id)) {
            assertThat(rs.next()).as("the JPA write is on the master").isTrue();
            assertThat(rs.getString(1)).isEqualTo("routed");
        }
        assertThat(service.read(id)).as("JPA reads its own write at once").contains("routed");
        assertThat(service.readWithJdbc(id)).as("JDBC reads its own write at once").contains("routed");
    }

    @Test
    void twoInstances_sharingOnlyTheCookieOrHeader_showNoStaleRead() throws Exception {
        String a = "http://127.0.0.1:" + port;
        String b = "http://127.0.0.1:" + instanceBPort();
        LagwiseDataSource dataSourceB = instanceB.getBean(LagwiseDataSource.class);
        RoutingStats before = dataSourceB.routingStats();

        Client user = new Client();
        long id = Long.parseLong(user.post(a + "/notes", "v0").body());
        int anomalies = 0;
        List<String> stale = new ArrayList<>();
        for (int i = 1; i <= PAIRS; i++) {
            user.useHeader = i % 2 == 0; // browsers send the cookie, API clients the header
            assertThat(user.post(a + "/notes/" + id, "v" + i).statusCode()).isEqualTo(200);
            HttpResponse<String> read = user.get(b + "/notes/" + id + (i % 3 == 0 ? "?via=jdbc" : ""));
            if (read.statusCode() != 200 || !read.body().equals("v" + i)) {
                anomalies++;
                stale.add(i + ": " + read.statusCode() + " " + read.body());
            }
        }
        RoutingStats after = dataSourceB.routingStats();
        long reads = after.reads() - before.reads();
        long replicaReads = after.replicaReads() - before.replicaReads();
        System.out.printf("two instances, %d POST->GET pairs: %d stale; instance B reads %d, on replicas %d (%.0f%%),"
                + " waits %d, fallbacks %d%n", PAIRS, anomalies, reads, replicaReads, 100.0 * replicaReads / reads,
                after.readYourWritesWaits() - before.readYourWritesWaits(),
                after.readYourWritesFallbacks() - before.readYourWritesFallbacks());
        assertThat(stale).as("stale reads with the token carried").isEmpty();
        assertThat(replicaReads).as("reads still served by replicas").isGreaterThan(reads / 3);

        // The same without the token: the test can fail.
        Client forgetful = new Client();
        forgetful.forget = true;
        int staleWithout = 0;
        for (int i = 1; i <= 50; i++) {
            forgetful.post(a + "/notes/" + id, "w" + i);
            HttpResponse<String> read = forgetful.get(b + "/notes/" + id);
            staleWithout += read.body().equals("w" + i) ? 0 : 1;
        }
        System.out.printf("without the token: %d of 50 reads stale%n", staleWithout);
        assertThat(staleWithout).as("stale reads without the token").isPositive();
    }

    @Test
    void asyncHandlers_andHandlersFailingAfterTheirWrite_carryTheTokenToo() throws Exception {
        String a = "http://127.0.0.1:" + port;
        String b = "http://127.0.0.1:" + instanceBPort();
        Client user = new Client();
        long id = Long.parseLong(user.post(a + "/notes", "a0").body());
        List<String> stale = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            boolean async = i % 2 == 0;
            HttpResponse<String> w = user.post(a + "/notes/" + id + (async ? "/async" : "/then-fail"), "a" + i);
            assertThat(w.statusCode()).as("write " + i).isEqualTo(async ? 200 : 500);
            HttpResponse<String> read = user.get(b + "/notes/" + id);
            if (!read.body().equals("a" + i)) {
                stale.add(i + (async ? " async: " : " failed: ") + read.body());
            }
        }
        assertThat(stale).as("stale reads after async and failing handlers").isEmpty();
    }

    @Test
    void aMalformedOrForgedToken_isIgnoredOrBounded() throws Exception {
        String a = "http://127.0.0.1:" + port;
        long id = service.create("x");
        topology.awaitReplication(java.time.Duration.ofSeconds(5)); // these requests carry no usable token
        for (String bad : List.of("garbage", "lw1.1.0-1-x", "lw1." + "9".repeat(30) + ".0-1-1", "%zz", "a".repeat(2000))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a + "/notes/" + id))
                    .header(HEADER, bad).header("Cookie", "lagwise-consistency=" + bad).build(),
                    HttpResponse.BodyHandlers.ofString());
            String shown = bad.length() > 40 ? bad.substring(0, 40) + "..." : bad;
            assertThat(r.statusCode()).as(shown).isEqualTo(200);
            assertThat(r.body()).isEqualTo("x");
            assertThat(r.headers().firstValue(HEADER)).as("nothing echoed").isEmpty();
        }
        // A well-formed token from the far future: bounded (the read waits at most max-wait, then uses the master).
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a + "/notes/" + id))
                .header(HEADER, "lw1.1700000000000.0-1-999999999").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms").isLessThan(2000);
    }

    @Test
    void healthAndMetricsEndpoints_reportRealFigures() throws Exception {
        String a = "http://127.0.0.1:" + port;
        for (int i = 0; i < 20; i++) {
            service.read(service.create("m" + i));
        }
        String health = http.send(HttpRequest.newBuilder(URI.create(a + "/actuator/health/lagwise")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(health).contains("\"status\":\"UP\"", "\"role\":\"master\"", "\"region\":\"oslo\"",
                "\"region\":\"frankfurt\"", "\"secondsBehindMaster\":0", "\"roundTripMs\"")
                .doesNotContain(topology.password());

        double rtt = metric(a, "lagwise.node.round.trip", "region:frankfurt");
        assertThat(rtt).as("frankfurt RTT in seconds (20 ms client delay each way)").isBetween(0.035, 0.5);
        double routed = metric(a, "lagwise.statements.routed", "kind:write");
        assertThat(routed).as("writes routed").isGreaterThanOrEqualTo(20);
        double up = metric(a, "lagwise.node.up", "role:master");
        assertThat(up).isEqualTo(1.0);
        String pool = "shop-mariadb.replica[0]@" + topology.node("oslo").host() + ":" + topology.node("oslo").port();
        assertThat(metric(a, "hikaricp.connections", "pool:" + pool)).as("HikariCP's meters per node").isPositive();
    }

    private double metric(String base, String name, String tag) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/metrics/" + name + "?tag="
                + java.net.URLEncoder.encode(tag, java.nio.charset.StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"value\"\\s*:\\s*([-0-9.Ee]+)").matcher(body);
        assertThat(m.find()).as(name + " " + tag + ": " + body).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** A user's client: keeps the consistency cookie (a browser) or echoes the header (an API client). */
    private final class Client {
        boolean useHeader;
        boolean forget;
        String cookie;
        String header;

        HttpResponse<String> post(String url, String body) throws Exception {
            return send(request(url).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "text/plain"));
        }

        HttpResponse<String> get(String url) throws Exception {
            return send(request(url).GET());
        }

        private HttpRequest.Builder request(String url) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
            if (!forget && useHeader && header != null) {
                b.header(HEADER, header);
            }
            if (!forget && !useHeader && cookie != null) {
                b.header("Cookie", cookie);
            }
            return b;
        }

        private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue(HEADER).ifPresent(h -> header = h);
            for (String setCookie : r.headers().allValues("Set-Cookie")) {
                if (setCookie.startsWith("lagwise-consistency=")) {
                    cookie = setCookie.substring(0, setCookie.indexOf(';'));
                    assertThat(setCookie).contains("HttpOnly", "SameSite=Lax", "Max-Age=300", "Path=/");
                }
            }
            return r;
        }
    }
}
