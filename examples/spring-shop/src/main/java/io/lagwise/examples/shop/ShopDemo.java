package io.lagwise.examples.shop;

import io.lagwise.core.NodeSnapshot;
import io.lagwise.jdbc.LagwiseDataSource;
import io.lagwise.jdbc.RoutingStats;
import io.lagwise.testkit.ReplicationTopology;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot example, self-contained: starts a master and two replicas on this machine
 * (replication 40 ms behind, Frankfurt 20 ms away), two instances of {@link ShopApplication}, and a
 * user who saves a profile on one instance and reads it on the other at once — first as a browser
 * that keeps the consistency cookie, then as one that drops it. Prints what each saw, the health
 * endpoint and a few meters. With the argument {@code serve} it keeps the apps running for curl.
 */
public final class ShopDemo {

    /** One scripted run: how many reads were stale, how many ran on replicas. */
    public record Run(String name, int pairs, int stale, long reads, long onReplicas) {}

    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-0-9.Ee]+)");

    private final ReplicationTopology topology;
    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private ShopDemo(ReplicationTopology topology) {
        this.topology = topology;
    }

    /**
     * Runs the example.
     *
     * @param args {@code serve} to keep the apps running until interrupted
     * @throws Exception if the topology or an app cannot start
     */
    public static void main(String[] args) throws Exception {
        boolean serve = args.length > 0 && args[0].equals("serve");
        PrintStream out = System.out;
        out.println("Starting a master and two replicas (oslo; frankfurt 20 ms away), replication 40 ms behind...");
        try (ReplicationTopology topology = ReplicationTopology.builder()
                .replica("oslo").replica("frankfurt", Duration.ofMillis(20))
                .replicationDelay(Duration.ofMillis(40)).start()) {
            ShopDemo demo = new ShopDemo(topology);
            try {
                demo.run(out, 100);
                if (serve) {
                    demo.serve(out);
                }
            } finally {
                demo.close();
            }
        }
    }

    /** Starts two instances, runs the scripted user with and without the cookie, prints health and meters. */
    List<Run> run(PrintStream out, int pairs) throws Exception {
        String a = start("shop-a");
        String b = start("shop-b");
        out.printf("Two app instances: A on %s, B on %s (each its own Lagwise DataSource).%n", a, b);
        out.printf("%nA user saves their display name on A, then at once reads it on B; %d times.%n", pairs);
        List<Run> runs = List.of(
                user("browser keeping the Lagwise cookie", a, b, pairs, true),
                user("browser dropping it (a plain read/write split)", a, b, pairs, false));
        out.println();
        out.println("  user                                             saves->reads   stale   B's reads on replicas");
        for (Run r : runs) {
            out.printf("  %-48s %12d   %5d   %5.1f %%%n", r.name(), r.pairs(), r.stale(),
                    r.reads() == 0 ? 0 : 100.0 * r.onReplicas() / r.reads());
        }

        HttpResponse<String> health = get(a + "/actuator/health/lagwise");
        Matcher status = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"").matcher(health.body());
        out.printf("%nGET %s/actuator/health/lagwise -> %d, status %s, details per node:%n", a, health.statusCode(),
                status.find() ? status.group(1) : "?");
        LagwiseDataSource ds = instances.get(0).getBean(LagwiseDataSource.class);
        out.println("  node                   role     region      health   lag ms   SBM   RTT ms");
        for (NodeSnapshot n : ds.cluster().nodes()) {
            out.printf("  %-22s %-8s %-11s %-8s %6s %5s %8s%n", n.name(), n.role().name().toLowerCase(),
                    n.region().isEmpty() ? "-" : n.region(), n.health(),
                    n.lag().map(d -> String.format("%.1f", d.toNanos() / 1e6)).orElse("-"),
                    n.secondsBehindMaster().isPresent() ? Long.toString(n.secondsBehindMaster().getAsLong()) : "-",
                    n.roundTrip().map(d -> String.format("%.2f", d.toNanos() / 1e6)).orElse("-"));
        }
        out.printf("%nGET %s/actuator/metrics/... (Micrometer, per node and region):%n", b);
        for (String[] m : new String[][] {
                {"lagwise.node.round.trip", "region:frankfurt", "s"},
                {"lagwise.statements.routed", "reason:replica", ""},
                {"lagwise.statements.routed", "reason:replica-after-wait", ""},
                {"lagwise.statements.routed", "reason:read-your-writes", ""},
                {"lagwise.read.your.writes.waits", null, ""}}) {
            out.printf("  %-34s %-28s %s%n", m[0], m[1] == null ? "" : m[1], metric(b, m[0], m[1]) + " " + m[2]);
        }
        return runs;
    }

    private Run user(String name, String a, String b, int pairs, boolean keepCookie) throws Exception {
        LagwiseDataSource dsB = instances.get(1).getBean(LagwiseDataSource.class);
        RoutingStats before = dsB.routingStats();
        String user = keepCookie ? "ingrid" : "ola";
        String cookie = null;
        int stale = 0;
        for (int i = 1; i <= pairs; i++) {
            String name_ = user + " #" + i;
            HttpRequest.Builder save = HttpRequest.newBuilder(URI.create(a + "/profiles/" + user))
                    .POST(HttpRequest.BodyPublishers.ofString(name_)).header("Content-Type", "text/plain");
            if (cookie != null) {
                save.header("Cookie", cookie);
            }
            HttpResponse<String> saved = http.send(save.build(), HttpResponse.BodyHandlers.ofString());
            if (keepCookie) {
                cookie = saved.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("lagwise-consistency="))
                        .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElse(cookie);
            }
            HttpRequest.Builder read = HttpRequest.newBuilder(URI.create(b + "/profiles/" + user));
            if (cookie != null) {
                read.header("Cookie", cookie);
            }
            HttpResponse<String> got = http.send(read.build(), HttpResponse.BodyHandlers.ofString());
            if (got.statusCode() != 200 || !got.body().equals(name_)) {
                stale++;
            }
        }
        RoutingStats after = dsB.routingStats();
        return new Run(name, pairs, stale, after.reads() - before.reads(), after.replicaReads() - before.replicaReads());
    }

    private String start(String name) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopApplication.class).properties(
                "server.port=0",
                "lagwise.name=" + name,
                "lagwise.master.url=" + topology.master().jdbcUrl(),
                "lagwise.replicas[0].url=" + topology.node("oslo").jdbcUrl(),
                "lagwise.replicas[0].region=oslo",
                "lagwise.replicas[1].url=" + topology.node("frankfurt").jdbcUrl(),
                "lagwise.replicas[1].region=frankfurt",
                "lagwise.replicas[1].backup=true",
                "lagwise.username=" + topology.username(),
                "lagwise.password=" + topology.password()).run();
        instances.add(context);
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    private void serve(PrintStream out) throws InterruptedException {
        String a = "http://127.0.0.1:" + instances.get(0).getEnvironment().getProperty("local.server.port");
        String b = "http://127.0.0.1:" + instances.get(1).getEnvironment().getProperty("local.server.port");
        out.printf("%nServing until Ctrl-C. Try:%n"
                + "  curl -c jar -b jar -X POST -H 'Content-Type: text/plain' -d 'Kari' %s/profiles/kari%n"
                + "  curl -b jar %s/profiles/kari          # the other instance, with the cookie%n"
                + "  curl %s/actuator/health/lagwise%n"
                + "  curl '%s/actuator/metrics/lagwise.replication.lag?tag=region:oslo'%n", a, b, a, a);
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
        forever.await();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metric(String base, String name, String tag) throws Exception {
        String body = get(base + "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag)).body();
        Matcher m = VALUE.matcher(body);
        return m.find() ? m.group(1) : "?";
    }

    void close() {
        for (ConfigurableApplicationContext c : instances) {
            c.close();
        }
    }

    static ShopDemo on(ReplicationTopology topology) {
        return new ShopDemo(topology);
    }
}
