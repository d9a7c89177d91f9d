package io.lagwise.testkit;

/**
 * Entry to the Testcontainers backends; kept apart so the local backend never loads Testcontainers.
 * Nothing here names a Testcontainers type: it looks for one by name, and only then reaches
 * {@link ContainerTopology}, where they are used.
 */
final class ContainerSupport {

    private static final String PROBE_CLASS = "org.testcontainers.DockerClientFactory";

    private ContainerSupport() {}

    /**
     * Starts a topology of containers for {@code spec}.
     *
     * @throws TopologyException if Testcontainers or Docker is missing, or the topology cannot start
     */
    static ReplicationTopology start(TopologySpec spec) {
        String missing = unavailableReason();
        if (missing != null) {
            throw new TopologyException("the " + spec.backend() + " backend needs Docker: " + missing);
        }
        return ContainerTopology.start(spec);
    }

    /** Why containers cannot run here, or null when they can. Asked once per JVM; never throws. */
    static String unavailableReason() {
        return Availability.REASON;
    }

    /** Holds the answer: asking Docker takes seconds, and the answer does not change within a run. */
    private static final class Availability {
        static final String REASON = probe();
    }

    private static String probe() {
        try {
            Class.forName(PROBE_CLASS, false, ContainerSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "Testcontainers is not on the classpath: add org.testcontainers:testcontainers-mariadb";
        }
        try {
            return ContainerTopology.dockerAvailable() ? null : "no Docker engine is reachable";
        } catch (RuntimeException | LinkageError e) {
            return "no Docker engine is reachable (" + e + ")";
        }
    }
}
