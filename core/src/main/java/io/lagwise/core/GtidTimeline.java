package io.lagwise.core;

/**
 * A short history of the master's GTID position, each with the time it was first seen, from which a
 * replica's lag follows without writing anything: the age of its oldest unapplied transaction,
 * {@code now − (time the master first had a position the replica has not reached)}, and zero when
 * the replica has everything the master had at the last probe. Both times are the application's own
 * (monotonic) clock, so server clocks do not matter. Resolution is the master probe interval.
 *
 * <p>A ring of fixed size; once full, the oldest entry goes, and a replica older than everything
 * kept gets a lag measured from the oldest entry: a lower bound, still far above any threshold.
 * Synchronized: the monitor writes it and reads it, never the statement path.
 */
public final class GtidTimeline {

    private final long[] seenAt;
    private final GtidSet[] positions;
    private int size;
    private int next;

    /**
     * A timeline keeping the last {@code capacity} distinct master positions.
     *
     * @throws IllegalArgumentException if capacity is below 2
     */
    public GtidTimeline(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be at least 2, was " + capacity);
        }
        this.seenAt = new long[capacity];
        this.positions = new GtidSet[capacity];
    }

    /** Records the master's position as seen at {@code nanos}, if it moved since the last record. */
    public synchronized void record(long nanos, GtidSet masterPosition) {
        if (size > 0) {
            GtidSet newest = positions[(next - 1 + positions.length) % positions.length];
            if (newest.isAtLeast(masterPosition)) {
                return; // nothing new: keep the first-seen time of the newest position
            }
        }
        seenAt[next] = nanos;
        positions[next] = masterPosition;
        next = (next + 1) % positions.length;
        size = Math.min(size + 1, positions.length);
    }

    /**
     * The lag of a replica at {@code replicaPosition}, at time {@code now}, in nanoseconds; zero when
     * it has reached the newest recorded master position, or nothing is recorded yet.
     */
    public synchronized long lagNanos(GtidSet replicaPosition, long now) {
        for (int k = 0; k < size; k++) {
            int i = (next - size + k + positions.length) % positions.length;
            if (!replicaPosition.isAtLeast(positions[i])) {
                return Math.max(0, now - seenAt[i]);
            }
        }
        return 0;
    }

    /** The newest recorded master position, or the empty position. */
    public synchronized GtidSet newest() {
        return size == 0 ? GtidSet.empty() : positions[(next - 1 + positions.length) % positions.length];
    }
}
