package io.lagwise.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagwise.core.Consistency;
import io.lagwise.testkit.JdbcDriver;
import io.lagwise.testkit.ReplicationTopology;
import io.lagwise.testkit.TopologyNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mixed reads and writes through one data source with default settings, while faults are injected at
 * random into real servers: a replica killed and restarted, frozen and thawed, its SQL thread stopped
 * and started, a lag spike to 2 s, and once the master killed, a replica promoted and the old master
 * brought back writable (until the operators make it read-only, a few seconds later). At the end the invariants are checked and a table printed:
 *
 * <ul>
 *   <li>every acknowledged write is on the final master — except writes the killed master acknowledged
 *       and no replica had received (asynchronous replication loses those with it): each of them must
 *       be on the old master and acknowledged before the kill;</li>
 *   <li>no write reached a node while it was read-only or not followed: the old master, back writable
 *       beside the promoted one, gains nothing;</li>
 *   <li>0 stale reads: each worker reads its own last acknowledged write back (read-your-writes),
 *       unless that write was lost with the killed master;</li>
 *   <li>no operation blocked beyond its bound (the pool's connection timeout plus a probe timeout);</li>
 *   <li>every failure is an {@link SQLException} that names its server (or the servers).</li>
 * </ul>
 */
class ChaosTest {

    static final Duration RUN = Duration.ofSeconds(Long.getLong("lagwise.chaos.seconds", 50));
    static final int WORKERS = 4;
    /** The longest any one operation may take: the pool's connection timeout (3 s) plus a probe timeout (1 s). */
    static final Duration BOUND = Duration.ofSeconds(4);

    @ParameterizedTest
    @EnumSource(JdbcDriver.class)
    void faultsAtRandom_underMixedLoad_keepEveryInvariant(JdbcDriver driver) throws Exception {
        long seed = Long.getLong("lagwise.chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        try (ReplicationTopology topology = ReplicationTopology.builder().replica("oslo").replica("frankfurt")
                .replicationDelay(Duration.ofMillis(40)).start()) {
            try (Connection c = topology.master().connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE chaos (id BIGINT PRIMARY KEY, worker INT, v VARCHAR(40), written_on INT)");
            }
            topology.awaitReplication(Duration.ofSeconds(10));
            Run run = new Run(topology, driver, seed);
            try (LagwiseDataSource ds = Routed.dataSource(topology, driver, b -> b.consistency(Consistency.READ_YOUR_WRITES)
                    .pool(p -> p.maximumPoolSize(8)))) {
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    int worker = w;
                    Thread t = new Thread(() -> run.work(ds, worker), "chaos-worker-" + w);
                    t.start();
                    workers.add(t);
                }
                run.injectFaults(random);
                run.stop = true;
                for (Thread t : workers) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
                }
            }
            run.check();
        }
    }

    /** One chaos run: the load, the faults, what was acknowledged, and what went wrong. */
    static final class Run {
        final ReplicationTopology topology;
        final JdbcDriver driver;
        final long seed;
        volatile boolean stop;
        final AtomicLong ids = new AtomicLong();
        /** Acknowledged writes: id to when the acknowledgement came (nanoTime). */
        final Map<Long, Long> acknowledged = new ConcurrentHashMap<>();
        final LongAdder reads = new LongAdder();
        final LongAdder writes = new LongAdder();
        /** Reads that did not find the worker's own last acknowledged write: the ids. */
        final ConcurrentLinkedQueue<Long> stale = new ConcurrentLinkedQueue<>();
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> unnamed = new ConcurrentLinkedQueue<>();
        final AtomicLong longestNanos = new AtomicLong();
        volatile String longestWhat = "";
        final Map<String, Integer> faults = new TreeMap<>();
        volatile long masterKilledAt;
        volatile long promotedAt;
        TopologyNode promoted;
        TopologyNode oldMaster;
        String oldMasterPositionBack;

        Run(ReplicationTopology topology, JdbcDriver driver, long seed) {
            this.topology = topology;
            this.driver = driver;
            this.seed = seed;
        }

        void work(LagwiseDataSource ds, int worker) {
            Random random = new Random(seed + worker);
            long lastAcked = -1;
            while (!stop) {
                boolean write = random.nextInt(10) < 3;
                long begin = System.nanoTime();
                String what = write ? "write" : "read";
                try {
                    if (write) {
                        long id = ids.incrementAndGet();
                        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO chaos (id, worker, v, written_on) VALUES (?, ?, ?, @@server_id)")) {
                            ps.setLong(1, id);
                            ps.setInt(2, worker);
                            ps.setString(3, "w" + worker + "-" + id);
                            ps.executeUpdate();
                        }
                        acknowledged.put(id, System.nanoTime());
                        lastAcked = id;
                        writes.increment();
                    } else if (lastAcked > 0) {
                        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                                "SELECT v FROM chaos WHERE id = ?")) {
                            ps.setLong(1, lastAcked);
                            try (ResultSet rs = ps.executeQuery()) {
                                if (!rs.next()) {
                                    stale.add(lastAcked);
                                }
                            }
                        }
                        reads.increment();
                    }
                } catch (SQLException e) {
                    String kind = kind(e);
                    failures.computeIfAbsent((write ? "write: " : "read: ") + kind, k -> new LongAdder()).increment();
                    if (!names(e)) {
                        unnamed.add(e.toString());
                    }
                } catch (RuntimeException e) {
                    failures.computeIfAbsent("not an SQLException: " + e, k -> new LongAdder()).increment();
                    unnamed.add(e.toString());
                }
                long took = System.nanoTime() - begin;
                if (took > longestNanos.get()) {
                    longestNanos.set(took);
                    longestWhat = what;
                }
                sleep(random.nextInt(5));
            }
        }

        /** Faults one after another until the run's time is up; the master's failover once, in the middle. */
        void injectFaults(Random random) throws Exception {
            long end = System.nanoTime() + RUN.toNanos();
            long failoverAt = System.nanoTime() + RUN.toNanos() * (35 + random.nextInt(30)) / 100;
            boolean failedOver = false;
            sleep(1500);
            while (System.nanoTime() - end < 0) {
                if (!failedOver && System.nanoTime() - failoverAt > 0) {
                    failover(random);
                    failedOver = true;
                } else {
                    replicaFault(random);
                }
                sleep(500 + random.nextInt(1500));
            }
            if (!failedOver) {
                failover(random);
            }
            sleep(2000); // the load runs on after the last fault
        }

        private void replicaFault(Random random) throws Exception {
            List<TopologyNode> candidates = new ArrayList<>();
            for (TopologyNode r : topology.replicas()) {
                if (r != oldMaster) {
                    candidates.add(r);
                }
            }
            TopologyNode r = candidates.get(random.nextInt(candidates.size()));
            int kind = random.nextInt(4);
            long hold = 700 + random.nextInt(1500);
            switch (kind) {
                case 0 -> {
                    count("kill and restart a replica");
                    r.kill();
                    sleep(hold);
                    r.restart();
                }
                case 1 -> {
                    count("freeze and thaw a replica");
                    r.freeze();
                    sleep(hold);
                    r.thaw();
                }
                case 2 -> {
                    count("stop and start an SQL thread");
                    r.stopSqlThread();
                    sleep(hold);
                    r.startSqlThread();
                }
                default -> {
                    count("lag spike to 2 s");
                    Duration before = r.replicationDelay();
                    r.replicationDelay(Duration.ofSeconds(2));
                    sleep(hold + 1000);
                    r.replicationDelay(before);
                }
            }
        }

        /** Kills the master, promotes the most advanced replica, and brings the old master back writable. */
        private void failover(Random random) throws Exception {
            count("kill the master, promote a replica");
            oldMaster = topology.master();
            TopologyNode next = null;
            String best = null;
            for (TopologyNode r : topology.replicas()) {
                String at = r.gtidPosition();
                if (best == null || seq(at) > seq(best)) {
                    best = at;
                    next = r;
                }
            }
            masterKilledAt = System.nanoTime();
            oldMaster.kill();
            sleep(200); // the relay logs applied, as Orchestrator waits for
            topology.promote(next);
            promotedAt = System.nanoTime();
            promoted = next;
            sleep(2000 + random.nextInt(2000));
            count("bring the old master back writable");
            oldMaster.restart(); // writable by its configuration, replicating from nothing
            oldMasterPositionBack = oldMaster.gtidPosition();
            sleep(2000 + random.nextInt(2000));
            count("the operators make the old master read-only");
            try (Connection admin = oldMaster.connectAdmin(); Statement s = admin.createStatement()) {
                s.execute("SET GLOBAL read_only = ON");
            }
        }

        private static long seq(String mariadbPosition) {
            long max = 0;
            for (String part : mariadbPosition.split(",")) {
                String[] f = part.trim().split("-");
                if (f.length == 3) {
                    max = Math.max(max, Long.parseLong(f[2]));
                }
            }
            return max;
        }

        private void count(String fault) {
            faults.merge(fault, 1, Integer::sum);
        }

        void check() throws SQLException {
            topology.awaitReplication(Duration.ofSeconds(30));
            TopologyNode master = topology.master();
            Map<Long, Integer> writtenOn = writtenOn(master);
            Set<Long> onMaster = writtenOn.keySet();
            int wrongServer = 0;
            for (Map.Entry<Long, Long> e : acknowledged.entrySet()) {
                Integer by = writtenOn.get(e.getKey());
                if (by == null) {
                    continue;
                }
                // acknowledged before the kill: by the old master; after the promotion: by the promoted one
                int expected = e.getValue() - masterKilledAt < 0 ? oldMaster.serverId() : promoted.serverId();
                if (by != expected && !(e.getValue() - masterKilledAt >= 0 && e.getValue() - promotedAt < 0)) {
                    wrongServer++;
                }
            }
            Set<Long> onOldMaster = ids(oldMaster);
            List<Long> missing = new ArrayList<>();
            List<Long> lostAtTheKill = new ArrayList<>();
            for (Map.Entry<Long, Long> e : acknowledged.entrySet()) {
                if (!onMaster.contains(e.getKey())) {
                    if (e.getValue() - masterKilledAt < 0 && onOldMaster.contains(e.getKey())) {
                        lostAtTheKill.add(e.getKey()); // acknowledged by the killed master, never replicated
                    } else {
                        missing.add(e.getKey());
                    }
                }
            }
            String oldMasterAtEnd = oldMaster.gtidPosition();
            Map<String, Object> table = new java.util.LinkedHashMap<>();
            table.put("driver", driver + " (seed " + seed + ")");
            faults.forEach((k, v) -> table.put("fault: " + k, v));
            table.put("reads", reads.sum());
            table.put("writes acknowledged", writes.sum());
            new TreeMap<>(failures).forEach((k, v) -> table.put("failed " + k, v.sum()));
            table.put("acknowledged writes missing on the final master", missing.size());
            table.put("writes run by a server that was not the master then (a replica, a read-only or unfollowed node)", wrongServer);
            table.put("acknowledged by the killed master, never replicated (async)", lostAtTheKill.size());
            table.put("writes on the old master after it came back", oldMasterAtEnd.equals(oldMasterPositionBack) ? 0 : "position moved: " + oldMasterPositionBack + " -> " + oldMasterAtEnd);
            List<Long> staleNotLost = stale.stream().filter(id -> !lostAtTheKill.contains(id)).toList();
            table.put("reads of a write lost with the killed master (not found anywhere)", stale.size() - staleNotLost.size());
            table.put("stale reads (read-your-writes)", staleNotLost.size());
            table.put("longest block", String.format("%.0f ms (%s)", longestNanos.get() / 1e6, longestWhat));
            table.put("failures not naming a server", unnamed.size());
            StringBuilder out = new StringBuilder("\n| chaos run, " + RUN.toSeconds() + " s | |\n| --- | --- |\n");
            table.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            System.out.println(out);
            assertThat(missing).as("acknowledged writes missing on the final master").isEmpty();
            assertThat(wrongServer).as("writes run by a server that was not the master then").isZero();
            assertThat(oldMasterAtEnd).as("no write on the old master once back, not followed").isEqualTo(oldMasterPositionBack);
            assertThat(staleNotLost).as("stale reads").isEmpty();
            assertThat(Duration.ofNanos(longestNanos.get())).as("longest block").isLessThan(BOUND);
            assertThat(unnamed).as("failures that name no server").isEmpty();
            assertThat(writes.sum()).as("writes went on").isGreaterThan(100);
            assertThat(reads.sum()).as("reads went on").isGreaterThan(100);
        }

        private Map<Long, Integer> writtenOn(TopologyNode node) throws SQLException {
            Map<Long, Integer> rows = new java.util.HashMap<>();
            try (Connection c = node.connectDirect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id, written_on FROM chaos")) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getInt(2));
                }
            }
            return rows;
        }

        private Set<Long> ids(TopologyNode node) throws SQLException {
            Set<Long> ids = new HashSet<>();
            try (Connection c = node.connectDirect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM chaos")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }

        /** The kind of a failure, for the table: its class and the start of its message, without ports. */
        static String kind(SQLException e) {
            String m = String.valueOf(e.getMessage()).replaceAll("test-[a-z]+: ", "").replaceAll("127\\.0\\.0\\.1:\\d+", "<node>")
                    .replaceAll("\\d+ ms", "N ms").replaceAll("\\(conn=\\d+\\)", "");
            return e.getClass().getSimpleName() + " " + (m.length() > 70 ? m.substring(0, 70) + "…" : m);
        }

        /** Whether the failure names a server: a node address in its message. */
        static boolean names(SQLException e) {
            return String.valueOf(e.getMessage()).contains("127.0.0.1:");
        }

        static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
