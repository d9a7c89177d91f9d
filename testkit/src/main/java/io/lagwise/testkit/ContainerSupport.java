package io.lagwise.testkit;

/** Entry to the Testcontainers backends; kept apart so the local backend never loads Testcontainers. */
final class ContainerSupport {

    private ContainerSupport() {}

    static ReplicationTopology start(TopologySpec spec) {
        throw new TopologyException("the " + spec.backend() + " backend is not built yet");
    }

    /** Why containers cannot run here, or null when they can. */
    static String unavailableReason() {
        return "not built yet";
    }
}
