package io.lagwise.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * A GTID position: MariaDB's — for each replication domain, the last transaction applied in it —
 * or a MySQL GTID set — for each source server UUID, the transaction numbers it holds
 * ({@code uuid:1-5:11-18,uuid2:1-3}). {@link #parse(String)} tells them apart by their text (a
 * MySQL set has {@code :}); the empty position belongs to both. The two kinds never mix: comparing
 * or merging a MySQL set with a MariaDB position is an {@link IllegalArgumentException} that says
 * so (a token from one kind of cluster carried to the other, say). What follows describes MariaDB
 * positions; MySQL sets are parsed as strictly and within the same bounds.
 *
 * <p>The text form is MariaDB's, as in {@code @@gtid_slave_pos} and {@code @@last_gtid}: GTIDs
 * {@code domain-server-sequence} separated by commas, at most one per domain, for example
 * {@code 0-1-207,1-2-5}. The empty string is the empty position. {@link #toString()} gives the
 * canonical form, sorted by domain, which {@link #parse(String)} reads back to an equal value.
 *
 * <p>Positions are compared per domain by sequence number only: a replica has applied a write when,
 * in the write's domain, its sequence is at least the write's. The server id is kept and shown,
 * and is part of {@link #equals(Object)}, but plays no part in {@link #isAtLeast(GtidSet)}.
 *
 * <p>Positions arrive from outside, for instance in consistency tokens read from cookies, so
 * parsing is strict and bounded: no whitespace, signs or leading zeros; at most {@value
 * #MAX_DOMAINS} domains and {@value #MAX_LENGTH} characters; domain and server ids from 0 to
 * 4294967295 and sequence numbers from 0 to {@link Long#MAX_VALUE}. Error messages quote at most
 * 40 characters of the input, with anything unprintable replaced by {@code ?}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class GtidSet {

    /**
     * The most domains {@link #parse(String)} accepts, and so the most a consistency token carries.
     * A {@link #union(GtidSet)} may hold more; such a position cannot be read back from text.
     */
    public static final int MAX_DOMAINS = 64;

    /** The longest GTID: two ids of up to 10 digits and a sequence number of up to 19, two dashes. */
    private static final int MAX_GTID_LENGTH = 10 + 1 + 10 + 1 + 19;

    /**
     * The longest text {@link #parse(String)} accepts: {@value #MAX_DOMAINS} GTIDs with the widest
     * numbers and the commas between them, so that {@link #toString()} of every position of at most
     * {@value #MAX_DOMAINS} domains reads back.
     */
    public static final int MAX_LENGTH = MAX_DOMAINS * (MAX_GTID_LENGTH + 1) - 1;

    private static final long MAX_ID = 0xFFFF_FFFFL;
    private static final int QUOTE_LIMIT = 40;
    private static final GtidSet EMPTY = new GtidSet(new long[0], new long[0], new long[0]);
    private static final long[] NONE = new long[0];

    // Parallel arrays sorted by domain: positions are compared on the read path, so no boxing.
    private final long[] domains;
    private final long[] servers;
    private final long[] sequences;
    /** The MySQL set, or null for a MariaDB position (and the empty one). */
    private final MysqlGtids mysql;

    private GtidSet(long[] domains, long[] servers, long[] sequences) {
        this.domains = domains;
        this.servers = servers;
        this.sequences = sequences;
        this.mysql = null;
    }

    private GtidSet(MysqlGtids mysql) {
        this.domains = NONE;
        this.servers = NONE;
        this.sequences = NONE;
        this.mysql = mysql.isEmpty() ? null : mysql;
    }

    private static GtidSet of(MysqlGtids mysql) {
        return mysql.isEmpty() ? EMPTY : new GtidSet(mysql);
    }

    /**
     * Returns whether this is a MySQL GTID set (rather than a MariaDB position); false for the empty
     * position, which is both.
     *
     * @return true for a non-empty MySQL GTID set
     */
    public boolean isMysql() {
        return mysql != null;
    }

    private void sameKind(GtidSet other) {
        if (isMysql() != other.isMysql() && !isEmpty() && !other.isEmpty()) {
            throw new IllegalArgumentException("a MySQL gtid set and a MariaDB gtid position cannot be compared or merged (" + (isMysql() ? "MySQL" : "MariaDB") + " here, " + (other.isMysql() ? "MySQL" : "MariaDB") + " given): a position from another kind of cluster");
        }
    }

    /**
     * Returns the empty position, which every position is at least.
     *
     * @return the empty position
     */
    public static GtidSet empty() {
        return EMPTY;
    }

    /**
     * Parses a position in MariaDB's form, such as {@code 0-1-207,1-2-5}.
     *
     * @param position GTIDs {@code domain-server-sequence} separated by commas, or the empty string
     * @return the position
     * @throws NullPointerException if {@code position} is null
     * @throws IllegalArgumentException if {@code position} is longer than {@value #MAX_LENGTH}
     *     characters, has more than {@value #MAX_DOMAINS} GTIDs, has an empty or malformed GTID, a
     *     number out of range, or two GTIDs in the same domain
     */
    public static GtidSet parse(String position) {
        Objects.requireNonNull(position, "position");
        if (position.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("gtid position is longer than " + MAX_LENGTH + " characters (was " + position.length() + "): " + quote(position));
        }
        if (position.isEmpty()) {
            return EMPTY;
        }
        if (position.indexOf(':') >= 0) {
            return of(MysqlGtids.parse(position));
        }
        long[] domains = new long[MAX_DOMAINS];
        long[] servers = new long[MAX_DOMAINS];
        long[] sequences = new long[MAX_DOMAINS];
        int size = 0;
        int start = 0;
        while (true) {
            int end = position.indexOf(',', start);
            if (end < 0) {
                end = position.length();
            }
            if (size == MAX_DOMAINS) {
                throw new IllegalArgumentException("gtid position has more than " + MAX_DOMAINS + " domains: " + quote(position));
            }
            parseGtid(position, start, end, size, domains, servers, sequences);
            size++;
            if (end == position.length()) {
                break;
            }
            start = end + 1;
        }
        sortByDomain(domains, servers, sequences, size);
        for (int i = 1; i < size; i++) {
            if (domains[i] == domains[i - 1]) {
                throw new IllegalArgumentException("gtid position has two gtids in domain " + domains[i] + ": " + quote(position));
            }
        }
        return new GtidSet(
                Arrays.copyOf(domains, size),
                Arrays.copyOf(servers, size),
                Arrays.copyOf(sequences, size));
    }

    /**
     * Returns whether this position includes everything {@code other} does: for every domain in
     * {@code other}, this position has that domain with a sequence number at least as high.
     *
     * <p>Server ids are not compared. Every position is at least the empty position and at least
     * itself.
     *
     * @param other the position to compare with, such as a write's GTID
     * @return true if this position has reached {@code other} in every domain of {@code other}
     * @throws NullPointerException if {@code other} is null
     */
    public boolean isAtLeast(GtidSet other) {
        Objects.requireNonNull(other, "other");
        if (other.isEmpty()) {
            return true;
        }
        sameKind(other);
        if (mysql != null || other.mysql != null) {
            return mysql != null && mysql.contains(other.mysql);
        }
        int mine = 0;
        for (int theirs = 0; theirs < other.domains.length; theirs++) {
            long domain = other.domains[theirs];
            while (mine < domains.length && domains[mine] < domain) {
                mine++;
            }
            if (mine == domains.length || domains[mine] != domain
                    || sequences[mine] < other.sequences[theirs]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns the position that includes both this one and {@code other}: every domain of either,
     * with the higher sequence number (and its server id).
     *
     * @param other another position
     * @return the union; this or {@code other} itself when one already includes the other
     * @throws NullPointerException if {@code other} is null
     */
    public GtidSet union(GtidSet other) {
        Objects.requireNonNull(other, "other");
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        sameKind(other);
        if (mysql != null) {
            return isAtLeast(other) ? this : other.isAtLeast(this) ? other : of(mysql.union(other.mysql));
        }
        if (isAtLeast(other)) {
            return this;
        }
        if (other.isAtLeast(this)) {
            return other;
        }
        long[] d = new long[domains.length + other.domains.length];
        long[] sv = new long[d.length];
        long[] sq = new long[d.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < domains.length || j < other.domains.length) {
            boolean takeMine = j == other.domains.length || (i < domains.length && domains[i] < other.domains[j]);
            boolean takeTheirs = i == domains.length || (j < other.domains.length && other.domains[j] < domains[i]);
            if (takeMine) {
                d[n] = domains[i];
                sv[n] = servers[i];
                sq[n++] = sequences[i++];
            } else if (takeTheirs) {
                d[n] = other.domains[j];
                sv[n] = other.servers[j];
                sq[n++] = other.sequences[j++];
            } else {
                boolean mineNewer = sequences[i] >= other.sequences[j];
                d[n] = domains[i];
                sv[n] = mineNewer ? servers[i] : other.servers[j];
                sq[n++] = mineNewer ? sequences[i] : other.sequences[j];
                i++;
                j++;
            }
        }
        return new GtidSet(Arrays.copyOf(d, n), Arrays.copyOf(sv, n), Arrays.copyOf(sq, n));
    }

    /**
     * Returns the sequence number of the last transaction in a domain.
     *
     * @param domain a domain id, from 0 to 4294967295
     * @return the sequence number, or -1 if this position has no GTID in {@code domain}
     * @throws IllegalArgumentException if {@code domain} is negative or above 4294967295
     */
    public long sequence(long domain) {
        if (mysql != null) {
            throw new IllegalArgumentException("a MySQL gtid set has no domains; sequence(domain) is for MariaDB positions");
        }
        if (domain < 0 || domain > MAX_ID) {
            throw new IllegalArgumentException(
                    "domain must be between 0 and " + MAX_ID + ", was " + domain);
        }
        int i = Arrays.binarySearch(domains, domain);
        return i < 0 ? -1L : sequences[i];
    }

    /**
     * Returns the number of domains in this position.
     *
     * @return the number of GTIDs: from 0 to {@value #MAX_DOMAINS} for a parsed position, possibly
     *     more for a {@link #union(GtidSet)}
     */
    public int size() {
        return mysql != null ? mysql.size() : domains.length;
    }

    /**
     * Returns the transactions of this MySQL GTID set that are not in {@code other}: what a replica
     * at {@code other} has yet to apply.
     *
     * @param other another MySQL GTID set (or the empty position)
     * @return the difference; the empty position when {@code other} holds all of this
     * @throws NullPointerException if {@code other} is null
     * @throws IllegalArgumentException if either is a MariaDB position: those hold one GTID per
     *     domain, not sets, so a difference means nothing there
     */
    public GtidSet subtract(GtidSet other) {
        Objects.requireNonNull(other, "other");
        if (isEmpty() || other.isEmpty()) {
            if (domains.length > 0 || other.domains.length > 0) {
                throw new IllegalArgumentException("subtract is for MySQL gtid sets, not MariaDB positions");
            }
            return this;
        }
        sameKind(other);
        if (mysql == null) {
            throw new IllegalArgumentException("subtract is for MySQL gtid sets, not MariaDB positions");
        }
        return of(mysql.subtract(other.mysql));
    }

    /**
     * Returns whether this position has no GTID at all.
     *
     * @return true for the empty position
     */
    public boolean isEmpty() {
        return domains.length == 0 && mysql == null;
    }

    /**
     * Returns whether {@code obj} is a position with the same GTIDs, server ids included.
     *
     * @param obj the object to compare with
     * @return true if {@code obj} is an equal position
     */
    @Override
    public boolean equals(Object obj) {
        if (this == obj) {
            return true;
        }
        return obj instanceof GtidSet other
                && java.util.Objects.equals(mysql, other.mysql)
                && Arrays.equals(domains, other.domains)
                && Arrays.equals(servers, other.servers)
                && Arrays.equals(sequences, other.sequences);
    }

    @Override
    public int hashCode() {
        int hash = mysql != null ? mysql.hashCode() : Arrays.hashCode(domains);
        hash = 31 * hash + Arrays.hashCode(servers);
        return 31 * hash + Arrays.hashCode(sequences);
    }

    /**
     * Returns the canonical form: GTIDs sorted by domain, separated by commas, such as
     * {@code 0-1-207,1-2-5}; the empty string for the empty position.
     */
    @Override
    public String toString() {
        if (mysql != null) {
            return mysql.toString();
        }
        StringBuilder text = new StringBuilder(domains.length * 16);
        for (int i = 0; i < domains.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(domains[i]).append('-').append(servers[i]).append('-').append(sequences[i]);
        }
        return text.toString();
    }

    private static void parseGtid(String position, int start, int end, int slot,
            long[] domains, long[] servers, long[] sequences) {
        if (start == end) {
            throw new IllegalArgumentException("gtid position has an empty gtid: " + quote(position));
        }
        int first = -1;
        int second = -1;
        for (int i = start; i < end; i++) {
            if (position.charAt(i) == '-') {
                if (first < 0) {
                    first = i;
                } else if (second < 0) {
                    second = i;
                } else {
                    second = -1; // a third dash: malformed
                    break;
                }
            }
        }
        if (second < 0) {
            throw new IllegalArgumentException("invalid gtid " + quote(position, start, end) + ": expected domain-server-sequence");
        }
        domains[slot] = parseNumber(position, start, end, start, first, "domain", MAX_ID);
        servers[slot] = parseNumber(position, start, end, first + 1, second, "server", MAX_ID);
        sequences[slot] = parseNumber(
                position, start, end, second + 1, end, "sequence", Long.MAX_VALUE);
    }

    /** Parses position[from, to) as a decimal number; gtidStart/gtidEnd delimit it for messages. */
    private static long parseNumber(String position, int gtidStart, int gtidEnd, int from, int to,
            String part, long max) {
        if (from == to) {
            throw new IllegalArgumentException("invalid gtid " + quote(position, gtidStart, gtidEnd) + ": " + part + " is missing");
        }
        for (int i = from; i < to; i++) {
            char c = position.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("invalid gtid " + quote(position, gtidStart, gtidEnd) + ": " + part + " is not a decimal number");
            }
        }
        if (position.charAt(from) == '0' && to - from > 1) {
            throw new IllegalArgumentException("invalid gtid " + quote(position, gtidStart, gtidEnd) + ": " + part + " has a leading zero");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = position.charAt(i) - '0';
            if (value > (max - digit) / 10) {
                throw new IllegalArgumentException("invalid gtid " + quote(position, gtidStart, gtidEnd) + ": " + part + " is out of range (0.." + max + ")");
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Insertion sort: at most 64 entries, usually one or two, already in order. */
    private static void sortByDomain(long[] domains, long[] servers, long[] sequences, int size) {
        for (int i = 1; i < size; i++) {
            long domain = domains[i];
            long server = servers[i];
            long sequence = sequences[i];
            int j = i - 1;
            while (j >= 0 && domains[j] > domain) {
                domains[j + 1] = domains[j];
                servers[j + 1] = servers[j];
                sequences[j + 1] = sequences[j];
                j--;
            }
            domains[j + 1] = domain;
            servers[j + 1] = server;
            sequences[j + 1] = sequence;
        }
    }

    private static String quote(String text) {
        return quote(text, 0, text.length());
    }

    /**
     * Quotes untrusted text for an error message: at most 40 characters, unprintable ones replaced,
     * so that a hostile token can neither flood a log nor forge lines in it.
     */
    static String quote(String text, int start, int end) {
        int stop = Math.min(end, start + QUOTE_LIMIT);
        StringBuilder quoted = new StringBuilder(stop - start + 5).append('"');
        for (int i = start; i < stop; i++) {
            char c = text.charAt(i);
            quoted.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (stop < end) {
            quoted.append("...");
        }
        return quoted.append('"').toString();
    }
}
