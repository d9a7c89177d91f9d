package io.lagwise.core;

import java.util.Objects;

/**
 * The position a session must not read behind: the GTID position of its newest write (or read), and
 * the wall-clock time of that write, for the pin window of servers without GTIDs. Immutable, small,
 * and exportable as a short string to carry between application instances (a cookie, a header).
 *
 * <p>An imported token is untrusted input: {@link #parse} accepts only the exact format, bounded in
 * size, and the worst a forged token can do is send reads to the master or make them wait the
 * bounded time.
 *
 * <p>One bound holds both ways: a token carries at most {@link GtidSet#MAX_DOMAINS} GTID domains.
 * {@link #export()} refuses a position with more (only a union of many tokens can have them), and
 * {@link #parse} accepts every token {@link #export()} writes, up to {@value #MAX_LENGTH}
 * characters, and nothing longer.
 */
public final class ConsistencyToken {

    private static final String PREFIX = "lw1.";
    /** The time is any non-negative {@code long}: at most 19 digits. */
    private static final int MAX_TIME_DIGITS = 19;

    /**
     * The most characters a token has: {@code lw1.}, a time of up to 19 digits, a dot, and a position
     * of at most {@link GtidSet#MAX_DOMAINS} domains ({@link GtidSet#MAX_LENGTH} characters). Every
     * token {@link #export()} writes fits; {@link #parse} rejects anything longer unread.
     */
    public static final int MAX_LENGTH = 4 + MAX_TIME_DIGITS + 1 + GtidSet.MAX_LENGTH;
    private static final ConsistencyToken NONE = new ConsistencyToken(GtidSet.empty(), 0);

    private final GtidSet position;
    private final long writtenAtMillis;

    private ConsistencyToken(GtidSet position, long writtenAtMillis) {
        this.position = position;
        this.writtenAtMillis = writtenAtMillis;
    }

    /** The empty token: no constraint. */
    public static ConsistencyToken none() {
        return NONE;
    }

    /**
     * A token for a write at {@code position}, made at {@code writtenAtMillis} (epoch milliseconds).
     *
     * @throws IllegalArgumentException if the time is negative
     */
    public static ConsistencyToken of(GtidSet position, long writtenAtMillis) {
        Objects.requireNonNull(position, "position");
        if (writtenAtMillis < 0) {
            throw new IllegalArgumentException("writtenAtMillis cannot be negative: " + writtenAtMillis);
        }
        return new ConsistencyToken(position, writtenAtMillis);
    }

    /** The GTID position; empty when the token carries none. */
    public GtidSet position() {
        return position;
    }

    /** When the write was made, epoch milliseconds; 0 for none. */
    public long writtenAtMillis() {
        return writtenAtMillis;
    }

    /** Whether this token constrains nothing. */
    public boolean isEmpty() {
        return position.isEmpty() && writtenAtMillis == 0;
    }

    /**
     * The newer of the two, domain by domain for the position, the later time. When the later of
     * the two has no position (its write's position is unknown), neither does the result: the
     * older position does not hold that write, so readers must go by the time (the pin window).
     */
    public ConsistencyToken merge(ConsistencyToken other) {
        if (other.isEmpty() || this == other) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        if (other.position.isEmpty() && other.writtenAtMillis > writtenAtMillis) {
            return other;
        }
        if (position.isEmpty() && writtenAtMillis > other.writtenAtMillis) {
            return this;
        }
        GtidSet merged = position.isAtLeast(other.position) ? position
                : other.position.isAtLeast(position) ? other.position : position.union(other.position);
        return new ConsistencyToken(merged, Math.max(writtenAtMillis, other.writtenAtMillis));
    }

    /**
     * Whether {@link #export()} can write this token: its position has at most
     * {@link GtidSet#MAX_DOMAINS} domains.
     *
     * @return false only for a union of positions from more domains than a token carries
     */
    public boolean isExportable() {
        return position.size() <= GtidSet.MAX_DOMAINS && (!position.isMysql() || position.toString().length() <= GtidSet.MAX_LENGTH);
    }

    /**
     * The token as a short string, e.g. {@code lw1.1764067200000.0-1-207}, at most
     * {@value #MAX_LENGTH} characters; {@link #parse} reads it back.
     *
     * @throws IllegalStateException if the position has more than {@link GtidSet#MAX_DOMAINS}
     *     domains ({@link #isExportable()} is false): {@link #parse} could not read it back
     */
    public String export() {
        if (!isExportable()) {
            throw new IllegalStateException("consistency token has " + position.size() + " gtid domains, more than the " + GtidSet.MAX_DOMAINS + " a token can carry" + (position.isMysql() ? ", or a MySQL gtid set longer than " + GtidSet.MAX_LENGTH + " characters" : ""));
        }
        return PREFIX + writtenAtMillis + "." + position;
    }

    /**
     * Reads a token made by {@link #export()}, from untrusted input.
     *
     * @throws IllegalArgumentException if it is null, empty, longer than {@value #MAX_LENGTH}
     *     characters, or not exactly such a token: a time that is not a decimal {@code long}, a
     *     position {@link GtidSet#parse} rejects, such as one of more than
     *     {@link GtidSet#MAX_DOMAINS} domains (the message quotes at most 40 characters of it,
     *     unprintable characters replaced)
     */
    public static ConsistencyToken parse(String exported) {
        if (exported == null || exported.isEmpty()) {
            throw new IllegalArgumentException("consistency token is empty");
        }
        if (exported.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("consistency token is longer than " + MAX_LENGTH + " characters (was " + exported.length() + ")");
        }
        if (!exported.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a consistency token: '" + quote(exported) + "'");
        }
        int dot = exported.indexOf('.', PREFIX.length());
        if (dot < 0) {
            throw new IllegalArgumentException("not a consistency token: '" + quote(exported) + "'");
        }
        String millis = exported.substring(PREFIX.length(), dot);
        long writtenAt = millis.isEmpty() || millis.length() > MAX_TIME_DIGITS
                || !millis.chars().allMatch(c -> c >= '0' && c <= '9') ? -1 : parseTime(millis);
        if (writtenAt < 0) {
            throw new IllegalArgumentException("bad time in consistency token: '" + quote(exported) + "'");
        }
        GtidSet position;
        try {
            position = GtidSet.parse(exported.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad position in consistency token: " + e.getMessage(), e);
        }
        return new ConsistencyToken(position, writtenAt);
    }

    /** The time from at most 19 decimal digits; -1 when above {@link Long#MAX_VALUE}. */
    private static long parseTime(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String quote(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        StringBuilder sb = new StringBuilder();
        for (char c : cut.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f || c == '…' ? c : '?');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsistencyToken && ((ConsistencyToken) o).writtenAtMillis == writtenAtMillis
                && ((ConsistencyToken) o).position.equals(position);
    }

    @Override
    public int hashCode() {
        return position.hashCode() * 31 + Long.hashCode(writtenAtMillis);
    }

    @Override
    public String toString() {
        return isEmpty() ? "ConsistencyToken[none]" : "ConsistencyToken[" + position + " @" + writtenAtMillis + "]";
    }
}
