package io.lagwise.jdbc;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Masks secrets in text bound for a log or an exception message. The one set of rules every Lagwise
 * module uses: the router for driver messages and node URLs, the Spring integration for its
 * properties' {@code toString()}. Public because those modules live in other packages; an
 * application may use it for its own configuration dumps too.
 *
 * <p>Each secret is replaced by {@code ***}:
 * <ul>
 *   <li>the value of every parameter whose name contains {@code password}, {@code pwd},
 *       {@code secret}, {@code token} or {@code key}, in any case: {@code password=…},
 *       {@code trustStorePassword=…}, {@code api_token=…};</li>
 *   <li>the password in a URL's user info: {@code jdbc:mysql://user:secret@host}.</li>
 * </ul>
 *
 * <p>A value runs to the next {@code &} that starts another {@code name=} parameter, so a password
 * holding a raw {@code &}, {@code =}, {@code @} or {@code %26} is masked whole (only a raw
 * {@code &name=} inside a password is indistinguishable from the next parameter, for the drivers as
 * for us). The two methods differ in what else ends a secret:
 * <ul>
 *   <li>{@link #redact(String)} reads free text, such as a driver's error message with URLs in it:
 *       a value also ends at {@code ;}, whitespace or {@code )}, and user info is looked for in each
 *       whitespace-separated word, from the first {@code :} after the {@code //} (or the word's
 *       start) to the word's last {@code @} outside a masked value; the user name stays.</li>
 *   <li>{@link #redactUrl(String)} reads a single URL, perhaps malformed: a value ends only at
 *       {@code &name=} or the end, and everything from after the {@code //} to the last {@code @}
 *       outside a masked value is masked, user name included, so that a password holding a raw
 *       {@code /}, {@code ?}, {@code :} or a space does not show either.</li>
 * </ul>
 *
 * <p>It errs towards hiding too much: an {@code @} in a parameter value may hide part of a URL, and
 * a parameter such as {@code allowPublicKeyRetrieval} shows {@code ***}. Stateless and thread-safe.
 */
public final class Redaction {

    /** What stands in for a secret. */
    static final String MASK = "***";

    private static final Pattern SECRET_NAME = Pattern.compile("(?i:password|pwd|secret|token|key)");

    private Redaction() {}

    /**
     * Masks the secrets in free text, such as an exception message that quotes URLs: secret
     * parameters' values and user info passwords, in every URL of it.
     *
     * <p>For example {@code bad url jdbc:mysql://app:s3cret@db1/shop?password=a&b&useSsl=true}
     * becomes {@code bad url jdbc:mysql://app:***@db1/shop?password=***&useSsl=true}.
     *
     * @param text any text
     * @return the text with every secret replaced by {@code ***}; {@code text} itself if it has none
     * @throws NullPointerException if {@code text} is null
     */
    public static String redact(String text) {
        Objects.requireNonNull(text, "text");
        Ranges ranges = new Ranges();
        values(text, true, ranges);
        int values = ranges.size;
        int word = 0;
        while (word < text.length()) {
            int end = word;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            userInfoPassword(text, word, end, ranges, values);
            word = end + 1;
        }
        return mask(text, ranges.merged());
    }

    /**
     * Masks the secrets in one URL, perhaps one that failed to parse: secret parameters' values up
     * to the next {@code &name=}, and everything from after the {@code //} to the last {@code @}
     * outside those values. For a URL read from configuration, before or instead of checking it.
     *
     * <p>For example {@code jdbc:mysql://app:s3/cr@t@db1/shop?password=a b&useSsl=true} becomes
     * {@code jdbc:mysql://***@db1/shop?password=***&useSsl=true}.
     *
     * @param url the URL's text
     * @return the URL with every secret replaced by {@code ***}; {@code url} itself if it has none
     * @throws NullPointerException if {@code url} is null
     */
    public static String redactUrl(String url) {
        return mask(Objects.requireNonNull(url, "url"), urlSecretRanges(url));
    }

    /**
     * Whether a parameter or property of this name holds a secret: its name contains
     * {@code password}, {@code pwd}, {@code secret}, {@code token} or {@code key}, in any case.
     *
     * @param name a parameter's or property's name, such as {@code trustStorePassword}
     * @return true if its value must not be shown
     * @throws NullPointerException if {@code name} is null
     */
    public static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(Objects.requireNonNull(name, "name")).find();
    }

    /**
     * The ranges {@link #redactUrl(String)} masks in {@code url}, as sorted, disjoint
     * {@code [start, end)} pairs: for a parser that must not quote any part of them.
     *
     * <p>Values come first, so that an {@code @} inside one (a common password character) is not
     * taken for the end of user info, which would show the rest of the value.
     */
    static int[] urlSecretRanges(String url) {
        Ranges ranges = new Ranges();
        values(url, false, ranges);
        int doubleSlash = url.indexOf("//");
        int authority = doubleSlash < 0 ? 0 : doubleSlash + 2;
        int at = lastAtOutside(url, authority, url.length(), ranges, ranges.size);
        if (at > authority) {
            ranges.add(authority, at);
        }
        return ranges.merged();
    }

    /**
     * Adds the value of every secret parameter, in order: after each {@code name=} whose name (the
     * run of letters, digits, '_', '.' and '-' before the '=') says secret, up to the next
     * {@code &name=} or the end, and in free text also to {@code ;}, whitespace or {@code )}.
     * Scanned by hand, in linear time: a regular expression with a repeated alternation recurses
     * once per character and overflows the stack on a long value.
     */
    private static void values(String text, boolean freeText, Ranges ranges) {
        int i = text.indexOf('=');
        while (i >= 0) {
            int name = i;
            while (name > 0 && isNameChar(text.charAt(name - 1))) {
                name--;
            }
            if (name == i || !isSecretName(text.substring(name, i))) {
                i = text.indexOf('=', i + 1);
                continue;
            }
            int end = i + 1;
            while (end < text.length() && !endsValue(text, end, freeText)) {
                end++;
            }
            ranges.add(i + 1, end); // an empty value shows as *** too
            i = text.indexOf('=', end);
        }
    }

    /** Whether the value ends before text[i]: at "&name=", or in free text at ';', whitespace or ')'. */
    private static boolean endsValue(String text, int i, boolean freeText) {
        char c = text.charAt(i);
        if (c == '&') {
            int j = i + 1;
            while (j < text.length() && isNameChar(text.charAt(j))) {
                j++;
            }
            return j > i + 1 && j < text.length() && text.charAt(j) == '=';
        }
        return freeText && (c == ';' || c == ')' || Character.isWhitespace(c));
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    /** Adds the password of user info in text[from, to), one word of free text, if it has one. */
    private static void userInfoPassword(String text, int from, int to, Ranges ranges, int values) {
        int at = lastAtOutside(text, from, to, ranges, values);
        if (at < 0) {
            return;
        }
        int doubleSlash = indexOf(text, "//", from, at);
        int authority = doubleSlash >= 0 ? doubleSlash + 2 : from;
        int colon = indexOf(text, ":", authority, at);
        if (colon >= 0 && colon + 1 < at) {
            ranges.add(colon + 1, at);
        }
    }

    /** The first {@code part} that starts in text[from, to); -1 if none. Bounded to the word. */
    private static int indexOf(String text, String part, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.startsWith(part, i)) {
                return i;
            }
        }
        return -1;
    }

    /** The last '@' in text[from, to) outside the first {@code values} ranges; -1 if none. */
    private static int lastAtOutside(String text, int from, int to, Ranges ranges, int values) {
        for (int i = to - 1; i >= from; i--) {
            if (text.charAt(i) == '@' && !ranges.covers(i, values)) {
                return i;
            }
        }
        return -1;
    }

    private static String mask(String text, int[] ranges) {
        if (ranges.length == 0) {
            return text;
        }
        StringBuilder masked = new StringBuilder(text.length());
        int shown = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            masked.append(text, shown, ranges[i]).append(MASK);
            shown = ranges[i + 1];
        }
        return masked.append(text, shown, text.length()).toString();
    }

    /** [start, end) pairs in the order found; {@link #merged()} sorts and joins overlapping ones. */
    private static final class Ranges {
        private int[] pairs = new int[8];
        private int size;

        void add(int start, int end) {
            if (size + 2 > pairs.length) {
                pairs = Arrays.copyOf(pairs, pairs.length * 2);
            }
            pairs[size++] = start;
            pairs[size++] = end;
        }

        /**
         * Whether one of the first {@code count / 2} ranges covers {@code index}; those must be
         * sorted and disjoint, as one matcher's finds are. A binary search: a hostile text of many
         * values and many '@' costs n log n, not n squared.
         */
        boolean covers(int index, int count) {
            int low = 0;
            int high = count / 2 - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (pairs[2 * mid] > index) {
                    high = mid - 1;
                } else if (pairs[2 * mid + 1] <= index) {
                    low = mid + 1;
                } else {
                    return true;
                }
            }
            return false;
        }

        int[] merged() {
            int n = size / 2;
            long[] sorted = new long[n];
            for (int i = 0; i < n; i++) {
                sorted[i] = ((long) pairs[2 * i] << 32) | pairs[2 * i + 1];
            }
            Arrays.sort(sorted);
            int[] out = new int[size];
            int m = 0;
            for (long pair : sorted) {
                int start = (int) (pair >>> 32);
                int end = (int) pair;
                if (m > 0 && start < out[m - 1]) {
                    out[m - 1] = Math.max(out[m - 1], end);
                } else {
                    out[m++] = start;
                    out[m++] = end;
                }
            }
            return Arrays.copyOf(out, m);
        }
    }
}
