package io.lagwise.core;

/**
 * What a {@link ReplicaSelector} knows of one replica at the moment a read is routed. The router
 * implements it on its live node state; reading it must not block or allocate.
 */
public interface ReplicaView {

    /** The replica's region label, e.g. {@code oslo}. */
    String region();

    /** Whether it is a backup: used for reads only when no non-backup replica can take them. */
    boolean backup();

    /** Whether it may take a read now: up, replicating, fresh enough, its pool not exhausted. */
    boolean usable();

    /** Reads and transactions it is serving now through this router. */
    int inFlight();

    /** The smoothed round-trip time to it in nanoseconds; 0 when not measured (all count as equal). */
    default long roundTripNanos() {
        return 0;
    }
}
