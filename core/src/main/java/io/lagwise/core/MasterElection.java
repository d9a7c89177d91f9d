package io.lagwise.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which configured node is the master now, from what the servers say — Lagwise follows promotions,
 * it never makes one. A pure decision on one round of probes, so that every case is tested without
 * servers.
 *
 * <p>The rule (the one MaxScale's monitor uses, with a stricter split-brain guard):
 * <ol>
 *   <li>A node qualifies as master when it answered, is writable ({@code read_only} and, on MySQL,
 *       {@code super_read_only} off) and does not replicate from another configured node (matched by
 *       server id, so that proxies and host names do not matter; a read-only standby that replicates
 *       back from it, as in an active/passive master-master pair, does not count). A node that
 *       replicates from a source it has not identified yet, or from a server no configured node is
 *       known to be while one has never answered, does not qualify. The current master keeps its
 *       place unless it replicates from another configured node that answers and takes writes: a
 *       standby that is down or read-only, an upstream outside the cluster or a link reconnecting
 *       leave it the master.</li>
 *   <li>One qualifies: it is the master — the current one kept, or another followed.</li>
 *   <li>Several qualify: the one most configured nodes replicate from wins. If that does not settle it,
 *       nobody does: writes are refused, naming the servers, until the operators resolve it.</li>
 *   <li>None qualifies: there is no master; writes fail (a read-only or unreachable master never takes
 *       one).</li>
 * </ol>
 */
public final class MasterElection {

    private MasterElection() {}

    /**
     * The {@link Evidence#sourceServerId()} of a node that replicates, or tries to, from a source whose
     * server id it does not know yet (its IO thread has not connected since it started): it may follow a
     * configured node, so it never qualifies as master.
     */
    public static final long UNKNOWN_SOURCE = -1;

    /**
     * What one probe found about a node's role.
     *
     * @param answered whether the probe got an answer ({@code writable} and {@code sourceServerId} mean
     *     nothing otherwise)
     * @param writable whether the server takes writes ({@code read_only} and {@code super_read_only} off)
     * @param serverId the server's {@code @@server_id} (for a node that did not answer, the last one it
     *     gave, or 0 if it never answered)
     * @param sourceServerId the server id of the source it replicates from, or 0 when it replicates from
     *     nothing (no replication configured, reset, or stopped before it ever connected), or
     *     {@link #UNKNOWN_SOURCE} when it replicates from a source whose id it has not learned yet
     */
    public record Evidence(boolean answered, boolean writable, long serverId, long sourceServerId) {

        /** A node whose probe got no answer; {@code lastServerId} as it last answered (0: never). */
        public static Evidence silent(long lastServerId) {
            return new Evidence(false, false, lastServerId, 0);
        }
    }

    /** What the round of probes says. */
    public enum Verdict {
        /** The current master is the master. */
        KEEP,
        /** Another node is the master now: follow it. */
        FOLLOW,
        /** Several nodes qualify and nothing settles which: refuse writes. */
        SPLIT_BRAIN,
        /** No node qualifies: no write can go anywhere. */
        NONE
    }

    /**
     * The outcome: a verdict, the master's index when there is one (else -1), and the indexes of every
     * node that qualified.
     */
    public record Outcome(Verdict verdict, int master, List<Integer> qualified) {

        public Outcome {
            Objects.requireNonNull(verdict, "verdict");
            qualified = List.copyOf(qualified);
        }
    }

    /**
     * Decides on one round of probes.
     *
     * @param current the index of the node taken as master until now
     * @param evidence what each configured node's probe found, by index
     * @return the outcome
     * @throws IllegalArgumentException if {@code current} is not an index of {@code evidence}
     */
    public static Outcome decide(int current, List<Evidence> evidence) {
        Objects.requireNonNull(evidence, "evidence");
        if (current < 0 || current >= evidence.size()) {
            throw new IllegalArgumentException("current master " + current + " is not one of " + evidence.size() + " nodes");
        }
        List<Integer> qualified = new ArrayList<>(2);
        for (int i = 0; i < evidence.size(); i++) {
            Evidence e = evidence.get(i);
            if (e.answered() && e.writable() && !(i == current ? followsAWritableNode(i, evidence) : followsAnotherNode(i, evidence))) {
                qualified.add(i);
            }
        }
        if (qualified.isEmpty()) {
            return new Outcome(Verdict.NONE, -1, qualified);
        }
        int master;
        if (qualified.size() == 1) {
            master = qualified.get(0);
        } else if (oneServer(qualified, evidence)) {
            // one server reached by two configured addresses (a proxy, another host name): not two masters
            master = qualified.contains(current) ? current : qualified.get(0);
        } else {
            master = -1;
            int most = 0;
            boolean tie = false;
            for (int candidate : qualified) {
                int followers = followers(candidate, evidence);
                if (followers > most) {
                    most = followers;
                    master = candidate;
                    tie = false;
                } else if (followers == most) {
                    tie = true;
                }
            }
            if (master < 0 || tie) {
                return new Outcome(Verdict.SPLIT_BRAIN, -1, qualified);
            }
        }
        return new Outcome(master == current ? Verdict.KEEP : Verdict.FOLLOW, master, qualified);
    }

    /** Whether every qualified node gave the same (non-zero) server id: one server at several addresses. */
    private static boolean oneServer(List<Integer> qualified, List<Evidence> evidence) {
        long id = evidence.get(qualified.get(0)).serverId();
        for (int i : qualified) {
            if (id == 0 || evidence.get(i).serverId() != id) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether node {@code i} replicates from another configured node — answering or not: a replica left
     * writable by mistake does not become the master because its master went down.
     */
    private static boolean followsAnotherNode(int i, List<Evidence> evidence) {
        Evidence e = evidence.get(i);
        long source = e.sourceServerId();
        if (source == 0) {
            return false;
        }
        if (source == UNKNOWN_SOURCE) {
            return true; // it replicates (or tries to) from a server not heard yet: maybe one of ours
        }
        boolean unheard = false;
        for (int j = 0; j < evidence.size(); j++) {
            if (j == i) {
                continue;
            }
            Evidence other = evidence.get(j);
            if (other.serverId() == source) {
                // Active/passive master-master: the writable master also replicates from its read-only
                // standby, which replicates from it. That standby is its follower, not its master.
                boolean passiveStandby = other.answered() && !other.writable() && other.sourceServerId() == e.serverId();
                return !passiveStandby;
            }
            unheard |= other.serverId() == 0;
        }
        // A source outside the cluster: a writable node that follows no node here may be the master —
        // unless a configured node has never answered, which may be that source.
        return unheard;
    }

    /**
     * Whether the current master replicates from another configured node that answers and takes
     * writes (and is not its own writable partner in a master-master pair): then it is a replica
     * left writable, not the master. A source that is down, read-only, unknown (its IO thread
     * reconnecting) or outside the cluster leaves it the master: the master keeps its place unless
     * the evidence against it is positive.
     */
    private static boolean followsAWritableNode(int i, List<Evidence> evidence) {
        Evidence e = evidence.get(i);
        long source = e.sourceServerId();
        if (source == 0 || source == UNKNOWN_SOURCE) {
            return false;
        }
        for (int j = 0; j < evidence.size(); j++) {
            Evidence other = evidence.get(j);
            if (j != i && other.serverId() == source) {
                return other.answered() && other.writable() && other.sourceServerId() != e.serverId();
            }
        }
        return false;
    }

    /** How many other answering servers (distinct server ids: one reached twice counts once) replicate from {@code candidate}. */
    private static int followers(int candidate, List<Evidence> evidence) {
        long id = evidence.get(candidate).serverId();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int j = 0; j < evidence.size(); j++) {
            Evidence e = evidence.get(j);
            if (j != candidate && e.answered() && e.sourceServerId() == id && e.serverId() != id) {
                seen.add(e.serverId());
            }
        }
        return seen.size();
    }
}
