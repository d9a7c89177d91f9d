package io.lagwise.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A MySQL GTID set, the value behind a {@link GtidSet} of MySQL's kind: for each source server UUID,
 * the transaction numbers it holds, as sorted, disjoint, non-adjacent closed intervals.
 *
 * <p>The text form is MySQL's, as in {@code @@gtid_executed}:
 * {@code 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18,4d2b…:1-3}. Parsing accepts what servers
 * print — UUIDs in either case, a space or a new line after a comma, intervals in any order or
 * overlapping — and {@link #toString()} gives the canonical form (lower case, sorted, merged, no
 * white space), which reads back to an equal value. It is strict otherwise, and bounded as MariaDB
 * positions are: at most {@value GtidSet#MAX_DOMAINS} UUIDs, {@link GtidSet#MAX_LENGTH} characters,
 * transaction numbers from 1 to {@link Long#MAX_VALUE}. Tagged GTIDs (MySQL 8.4's
 * {@code uuid:tag:n}) are refused by name. Immutable.
 */
final class MysqlGtids {

    static final MysqlGtids EMPTY = new MysqlGtids(new String[0], new long[0][]);

    /** Canonical UUIDs (lower case), sorted. */
    private final String[] uuids;
    /** Per UUID: interval bounds {@code [start0, end0, start1, end1, …]}, sorted, disjoint, non-adjacent. */
    private final long[][] intervals;

    private MysqlGtids(String[] uuids, long[][] intervals) {
        this.uuids = uuids;
        this.intervals = intervals;
    }

    int size() {
        return uuids.length;
    }

    boolean isEmpty() {
        return uuids.length == 0;
    }

    /** Parses a MySQL GTID set; {@code position} is not empty and at most {@link GtidSet#MAX_LENGTH} long. */
    static MysqlGtids parse(String position) {
        List<String> names = new ArrayList<>();
        List<long[]> sets = new ArrayList<>();
        int start = 0;
        int n = position.length();
        while (true) {
            int end = position.indexOf(',', start);
            if (end < 0) {
                end = n;
            }
            if (names.size() == GtidSet.MAX_DOMAINS) {
                throw new IllegalArgumentException("gtid set has more than " + GtidSet.MAX_DOMAINS + " server uuids: " + GtidSet.quote(position, 0, n));
            }
            parseOne(position, start, end, names, sets);
            if (end == n) {
                break;
            }
            start = end + 1;
            while (start < n && (position.charAt(start) == '\n' || position.charAt(start) == ' ')) {
                start++; // what servers print after a comma
            }
        }
        // Sort by UUID, merging a UUID given twice.
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> names.get(a).compareTo(names.get(b)));
        List<String> u = new ArrayList<>();
        List<long[]> iv = new ArrayList<>();
        for (int k : order) {
            if (!u.isEmpty() && u.get(u.size() - 1).equals(names.get(k))) {
                iv.set(iv.size() - 1, normalize(concat(iv.get(iv.size() - 1), sets.get(k))));
            } else {
                u.add(names.get(k));
                iv.add(normalize(sets.get(k)));
            }
        }
        return new MysqlGtids(u.toArray(new String[0]), iv.toArray(new long[0][]));
    }

    private static void parseOne(String position, int start, int end, List<String> names, List<long[]> sets) {
        if (start == end) {
            throw new IllegalArgumentException("gtid set has an empty entry: " + GtidSet.quote(position, 0, position.length()));
        }
        int colon = position.indexOf(':', start);
        if (colon < 0 || colon > end) {
            throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, start, end) + ": expected uuid:interval[:interval…]");
        }
        String uuid = uuid(position, start, colon, end);
        long[] bounds = new long[8];
        int count = 0;
        int from = colon + 1;
        while (true) {
            int to = position.indexOf(':', from);
            if (to < 0 || to > end) {
                to = end;
            }
            if (from == to) {
                throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, start, end) + ": an interval is missing");
            }
            char first = position.charAt(from);
            if (first < '0' || first > '9') {
                throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, start, end) + ": tagged gtids (uuid:tag:n) are not supported");
            }
            int dash = position.indexOf('-', from);
            long lo;
            long hi;
            if (dash < 0 || dash > to) {
                lo = number(position, start, end, from, to);
                hi = lo;
            } else {
                lo = number(position, start, end, from, dash);
                hi = number(position, start, end, dash + 1, to);
            }
            if (lo > hi) {
                throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, start, end) + ": an interval ends before it starts");
            }
            if (count == bounds.length) {
                bounds = Arrays.copyOf(bounds, count * 2);
            }
            bounds[count++] = lo;
            bounds[count++] = hi;
            if (to == end) {
                break;
            }
            from = to + 1;
        }
        names.add(uuid);
        sets.add(Arrays.copyOf(bounds, count));
    }

    /** A UUID {@code 8-4-4-4-12} hex digits, in lower case. */
    private static String uuid(String position, int from, int to, int entryEnd) {
        if (to - from != 36) {
            throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, from, entryEnd) + ": expected a server uuid of 36 characters");
        }
        for (int i = from; i < to; i++) {
            char c = position.charAt(i);
            int at = i - from;
            boolean dash = at == 8 || at == 13 || at == 18 || at == 23;
            boolean ok = dash ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, from, entryEnd) + ": not a server uuid");
            }
        }
        return position.substring(from, to).toLowerCase(Locale.ROOT);
    }

    private static long number(String position, int entryStart, int entryEnd, int from, int to) {
        if (from == to) {
            throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, entryStart, entryEnd) + ": a transaction number is missing");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = position.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, entryStart, entryEnd) + ": a transaction number is not a decimal number");
            }
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, entryStart, entryEnd) + ": a transaction number is out of range (1.." + Long.MAX_VALUE + ")");
            }
            value = value * 10 + digit;
        }
        if (position.charAt(from) == '0') {
            throw new IllegalArgumentException("invalid gtid set entry " + GtidSet.quote(position, entryStart, entryEnd) + ": transaction numbers start at 1, without leading zeros");
        }
        return value;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Sorts intervals by start and merges overlapping or adjacent ones. */
    private static long[] normalize(long[] bounds) {
        int pairs = bounds.length / 2;
        long[][] p = new long[pairs][];
        for (int i = 0; i < pairs; i++) {
            p[i] = new long[] {bounds[2 * i], bounds[2 * i + 1]};
        }
        Arrays.sort(p, (x, y) -> Long.compare(x[0], y[0]));
        long[] out = new long[bounds.length];
        int n = 0;
        for (long[] iv : p) {
            if (n > 0 && (out[n - 1] == Long.MAX_VALUE || iv[0] <= out[n - 1] + 1)) {
                out[n - 1] = Math.max(out[n - 1], iv[1]);
            } else {
                out[n++] = iv[0];
                out[n++] = iv[1];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private long[] intervalsOf(String uuid) {
        int i = Arrays.binarySearch(uuids, uuid);
        return i < 0 ? null : intervals[i];
    }

    /** Whether every transaction of {@code other} is in this set. */
    boolean contains(MysqlGtids other) {
        for (int k = 0; k < other.uuids.length; k++) {
            long[] mine = intervalsOf(other.uuids[k]);
            long[] theirs = other.intervals[k];
            if (mine == null) {
                if (theirs.length > 0) {
                    return false;
                }
                continue;
            }
            int m = 0;
            for (int t = 0; t < theirs.length; t += 2) {
                while (m < mine.length && mine[m + 1] < theirs[t]) {
                    m += 2;
                }
                if (m == mine.length || mine[m] > theirs[t] || mine[m + 1] < theirs[t + 1]) {
                    return false; // intervals are merged, so one of mine must cover the whole of theirs
                }
            }
        }
        return true;
    }

    /** Every transaction of either set. */
    MysqlGtids union(MysqlGtids other) {
        return combine(other, true);
    }

    /** The transactions of this set that are not in {@code other}. */
    MysqlGtids subtract(MysqlGtids other) {
        return combine(other, false);
    }

    private MysqlGtids combine(MysqlGtids other, boolean union) {
        List<String> u = new ArrayList<>();
        List<long[]> iv = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < uuids.length || j < other.uuids.length) {
            int cmp = i == uuids.length ? 1 : j == other.uuids.length ? -1 : uuids[i].compareTo(other.uuids[j]);
            long[] result;
            String uuid;
            if (cmp < 0) {
                uuid = uuids[i];
                result = intervals[i++];
            } else if (cmp > 0) {
                uuid = other.uuids[j];
                result = union ? other.intervals[j] : null;
                j++;
            } else {
                uuid = uuids[i];
                result = union ? normalize(concat(intervals[i], other.intervals[j])) : minus(intervals[i], other.intervals[j]);
                i++;
                j++;
            }
            if (result != null && result.length > 0) {
                u.add(uuid);
                iv.add(result);
            }
        }
        return new MysqlGtids(u.toArray(new String[0]), iv.toArray(new long[0][]));
    }

    /** Interval difference {@code a \ b}; both sorted and merged. */
    private static long[] minus(long[] a, long[] b) {
        long[] out = new long[a.length + b.length + 2];
        int n = 0;
        int j = 0;
        for (int i = 0; i < a.length; i += 2) {
            long cur = a[i];
            long hi = a[i + 1];
            boolean covered = false;
            while (j < b.length && b[j + 1] < cur) {
                j += 2;
            }
            for (int k = j; k < b.length && b[k] <= hi; k += 2) {
                if (b[k] > cur) {
                    if (n + 2 > out.length) {
                        out = Arrays.copyOf(out, out.length * 2);
                    }
                    out[n++] = cur;
                    out[n++] = b[k] - 1;
                }
                if (b[k + 1] >= hi) {
                    covered = true; // the rest of [cur, hi] is in b
                    break;
                }
                cur = Math.max(cur, b[k + 1] + 1);
            }
            if (!covered) {
                if (n + 2 > out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                out[n++] = cur;
                out[n++] = hi;
            }
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MysqlGtids other && Arrays.equals(uuids, other.uuids) && Arrays.deepEquals(intervals, other.intervals);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(uuids) + Arrays.deepHashCode(intervals);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(uuids.length * 48);
        for (int k = 0; k < uuids.length; k++) {
            if (k > 0) {
                sb.append(',');
            }
            sb.append(uuids[k]);
            long[] iv = intervals[k];
            for (int i = 0; i < iv.length; i += 2) {
                sb.append(':').append(iv[i]);
                if (iv[i + 1] != iv[i]) {
                    sb.append('-').append(iv[i + 1]);
                }
            }
        }
        return sb.toString();
    }
}
