package io.lagwise.core;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One node as a {@link ClusterSnapshot} saw it. Durations that were never measured are empty.
 *
 * @param name the node's address, e.g. {@code db-oslo-2:3306}
 * @param role master or replica
 * @param region the region label (empty for the master)
 * @param backup whether it is a backup replica
 * @param health what the monitor last found
 * @param lag the lag routing uses (the best source available), empty for the master
 * @param lagSource where {@code lag} came from
 * @param heartbeatLag the heartbeat lag, if heartbeats are on and one was seen
 * @param timelineLag the GTID-timeline lag, if GTID positions are known
 * @param secondsBehindMaster {@code Seconds_Behind_Master}, empty when NULL or for the master
 * @param lagAge how long ago {@code lag} was measured
 * @param gtidPosition the node's GTID position as last read (master: written; replica: applied)
 * @param roundTrip the smoothed round-trip time of a trivial query
 * @param lastError the last probe error, empty if the last probe succeeded
 * @param poolActive connections of its pool in use
 * @param poolTotal connections its pool holds
 * @param statementsServed statements routed to it so far
 */
public record NodeSnapshot(String name, NodeRole role, String region, boolean backup, Health health,
        Optional<Duration> lag, Optional<LagSource> lagSource, Optional<Duration> heartbeatLag,
        Optional<Duration> timelineLag, OptionalLong secondsBehindMaster, Duration lagAge, String gtidPosition,
        Optional<Duration> roundTrip, String lastError, int poolActive, int poolTotal, long statementsServed) {
}
