package io.lagwise.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** What every backend does alike: waiting for replication and resetting to the built state. */
final class Topologies {

    /** Daemon threads for starting and resetting nodes in parallel; idle threads go after a minute. */
    static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lagwise-topology");
        t.setDaemon(true);
        return t;
    });

    private Topologies() {}

    static void awaitReplication(AbstractNode master, List<? extends AbstractNode> replicas, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String position = master.gtidPosition();
        for (AbstractNode replica : replicas) {
            if (replica.state() != TopologyNode.State.RUNNING || !replica.replicationSwitchedOn()) {
                continue;
            }
            Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
            if (!replica.awaitPosition(position, left)) {
                throw new TopologyException(replica.name() + " has not applied the master's position " + position
                        + " within " + timeout.toMillis() + " ms; it is at " + replica.gtidPosition() + ", "
                        + replica.replicaStatus());
            }
        }
    }

    static void reset(AbstractNode master, List<? extends AbstractNode> replicas) {
        master.reset();
        LocalTopology.parallel(replicas, n -> ((AbstractNode) n).reset());
        awaitReplication(master, replicas, Duration.ofSeconds(30));
    }
}
