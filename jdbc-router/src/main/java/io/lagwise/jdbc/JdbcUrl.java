package io.lagwise.jdbc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The JDBC URL of one node, checked when the DataSource is built.
 *
 * <p>Lagwise does the routing itself, so each node is one plain URL naming one server:
 * {@code jdbc:mariadb://host[:port][/database][?parameters]} or the same with {@code jdbc:mysql:}.
 * The drivers' own multi-host modes ({@code jdbc:mariadb:replication:}, {@code
 * jdbc:mysql:loadbalance:} ...) and lists of hosts are rejected: they would route behind Lagwise's
 * back. IPv6 addresses go in brackets; the port defaults to 3306.
 *
 * <p>The grammar follows the drivers': the authority ends at the first {@code /} or {@code ?}, and
 * user info, if any, ends at its last {@code @}. Parameters are {@code name=value} pairs separated
 * by {@code &}, kept as written (not percent-decoded).
 *
 * <p>A URL may hold a password, in a parameter whose name says it holds a secret ({@link
 * Redaction#isSecretName}: {@code password}, {@code sslKeyStorePassword}…) or as
 * {@code user:password@}. Only {@link #url()} returns it, for the driver. Everything else, {@link
 * #toString()}, {@link #parameters()} and every error message included, shows {@code ***}
 * instead. When a URL is rejected, its text is masked conservatively by {@link
 * Redaction#redactUrl}: everything from the host to the last {@code @} in the whole URL, and a
 * secret parameter's value up to the next {@code &name=}, so that even a password with unescaped
 * delimiters does not reach a log.
 */
final class JdbcUrl {

    /** The drivers Lagwise speaks to, each with its URL prefix. */
    enum Driver {
        MARIADB("jdbc:mariadb://"),
        MYSQL("jdbc:mysql://");

        final String prefix;

        Driver(String prefix) {
            this.prefix = prefix;
        }
    }

    static final int DEFAULT_PORT = 3306;

    private static final String MASK = Redaction.MASK;
    private static final String FORMS = "jdbc:mariadb://host[:port][/database]"
            + " or jdbc:mysql://host[:port][/database]";
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.\\-]+)?");

    private final String url;
    private final Driver driver;
    private final String host;
    private final int port;
    private final String database;
    private final Map<String, String> parameters;
    private final String redacted;

    private JdbcUrl(String url, Driver driver, String host, int port, String database,
            Map<String, String> parameters, String redacted) {
        this.url = url;
        this.driver = driver;
        this.host = host;
        this.port = port;
        this.database = database;
        this.parameters = parameters;
        this.redacted = redacted;
    }

    /**
     * Parses and checks a node's URL.
     *
     * @param url {@code jdbc:mariadb://host[:port][/database][?parameters]} or the same with
     *     {@code jdbc:mysql:}
     * @return the checked URL
     * @throws IllegalArgumentException if {@code url} is null, blank, has leading or trailing
     *     whitespace, is not a plain MariaDB or MySQL URL, names no host or several hosts, has an
     *     invalid host, port (not 1 to 65535), database or parameter, or sets a parameter twice
     */
    static JdbcUrl parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("jdbc url must not be null");
        }
        if (url.isBlank()) {
            throw new IllegalArgumentException("jdbc url must not be blank, was \"" + url + "\"");
        }
        return new Parser(url).parse();
    }

    /**
     * Returns the URL as given, password included: for the driver, never for a log.
     *
     * @return the URL text passed to {@link #parse(String)}
     */
    String url() {
        return url;
    }

    Driver driver() {
        return driver;
    }

    /** The host name or address as written, without the brackets of an IPv6 address. */
    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** The database from the path, or the empty string if the URL names none. */
    String database() {
        return database;
    }

    /**
     * The parameters in URL order, values as written except that of any parameter whose name says
     * it holds a secret ({@link Redaction#isSecretName}), which reads {@code ***}. Unmodifiable.
     */
    Map<String, String> parameters() {
        return parameters;
    }

    /** {@code host:port} for logs, with an IPv6 address in brackets: {@code [::1]:3306}. */
    String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Returns whether both URLs point at the same server: the same host, ignoring case, and the
     * same port.
     *
     * <p>Names are compared as written, without DNS: {@code localhost} and {@code 127.0.0.1} are
     * different servers here.
     *
     * @throws NullPointerException if {@code other} is null
     */
    boolean sameServerAs(JdbcUrl other) {
        Objects.requireNonNull(other, "other");
        return port == other.port && host.equalsIgnoreCase(other.host);
    }

    /** The URL with every password replaced by {@code ***}. */
    String redacted() {
        return redacted;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof JdbcUrl other && url.equals(other.url);
    }

    @Override
    public int hashCode() {
        return url.hashCode();
    }

    /** Returns {@link #redacted()}: never the password. */
    @Override
    public String toString() {
        return redacted;
    }

    /** One parse; holds the indices needed to decide what an error message may quote. */
    private static final class Parser {

        private final String url;
        private final int[] secrets;

        Parser(String url) {
            this.url = url;
            this.secrets = Redaction.urlSecretRanges(url);
        }

        JdbcUrl parse() {
            if (!url.strip().equals(url)) {
                throw fail("has leading or trailing whitespace");
            }
            Driver driver = driver();
            int authorityStart = driver.prefix.length();
            int authorityEnd = indexOfAny(url, authorityStart, '/', '?');
            int queryStart = url.indexOf('?', authorityStart);
            int pathEnd = queryStart < 0 ? url.length() : queryStart;
            for (int i = authorityStart; i < pathEnd; i++) {
                char c = url.charAt(i);
                if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                    throw fail("contains whitespace or a control character before its parameters");
                }
                if (c == '#') {
                    // MySQL Connector/J ends the authority at '#': we must not see another host.
                    throw fail("has a '#' before its parameters; percent-encode it as %23");
                }
            }

            StringBuilder redacted = new StringBuilder(url.length()).append(driver.prefix);
            int at = url.lastIndexOf('@', authorityEnd - 1);
            int hostStart = authorityStart;
            if (at >= authorityStart) {
                int colon = url.indexOf(':', authorityStart);
                int userEnd = colon >= 0 && colon < at ? colon : at;
                if (userEnd == authorityStart) {
                    throw fail("has an empty user name before '@'");
                }
                redacted.append(url, authorityStart, userEnd).append(userEnd < at ? ":" + MASK : "").append('@');
                hostStart = at + 1;
            }

            String host;
            int port = DEFAULT_PORT;
            int portStart = -1;
            if (hostStart == authorityEnd) {
                throw fail("has no host");
            }
            if (url.charAt(hostStart) == '(' || url.startsWith("address=", hostStart)) {
                throw fail("uses the key-value host form; write the host as host[:port]");
            }
            if (url.indexOf(',', hostStart) >= 0 && url.indexOf(',', hostStart) < authorityEnd) {
                throw fail("names several hosts; Lagwise does the routing itself,"
                        + " so give it one plain url per node");
            }
            if (url.charAt(hostStart) == '[') {
                int close = url.indexOf(']', hostStart);
                if (close < 0 || close > authorityEnd) {
                    throw fail("has an IPv6 address without its closing ']'");
                }
                host = url.substring(hostStart + 1, close);
                if (!IPV6.matcher(host).matches()) {
                    throw fail("has an invalid IPv6 address" + quote(hostStart, close + 1));
                }
                if (close + 1 < authorityEnd) {
                    if (url.charAt(close + 1) != ':') {
                        throw fail("has unexpected text after the IPv6 address" + quote(close + 1, authorityEnd));
                    }
                    portStart = close + 2;
                }
            } else {
                int colon = url.indexOf(':', hostStart);
                if (colon >= 0 && colon < authorityEnd) {
                    if (url.indexOf(':', colon + 1) >= 0 && url.indexOf(':', colon + 1) < authorityEnd) {
                        throw fail("has an IPv6 address without brackets; write it as [address]:port");
                    }
                    portStart = colon + 1;
                }
                int hostEnd = portStart < 0 ? authorityEnd : colon;
                host = url.substring(hostStart, hostEnd);
                if (host.isEmpty()) {
                    throw fail("has no host");
                }
                if (!HOST_NAME.matcher(host).matches()) {
                    throw fail("has an invalid host" + quote(hostStart, hostEnd)
                            + ": letters, digits, '.', '-' and '_' only");
                }
            }
            if (portStart >= 0) {
                port = port(portStart, authorityEnd);
            }
            redacted.append(url, hostStart, authorityEnd);

            String database = "";
            if (authorityEnd < url.length() && url.charAt(authorityEnd) == '/') {
                database = url.substring(authorityEnd + 1, pathEnd);
                if (database.indexOf('/') >= 0) {
                    throw fail("has an invalid database" + quote(authorityEnd + 1, pathEnd)
                            + ": one path segment without '/'");
                }
                redacted.append('/').append(database);
            }

            Map<String, String> parameters = new LinkedHashMap<>();
            if (queryStart >= 0) {
                redacted.append('?');
                parameters(queryStart + 1, parameters, redacted);
            }
            return new JdbcUrl(url, driver, host, port, database,
                    Collections.unmodifiableMap(parameters), redacted.toString());
        }

        private Driver driver() {
            for (Driver driver : Driver.values()) {
                if (url.startsWith(driver.prefix)) {
                    return driver;
                }
            }
            String lower = url.toLowerCase(Locale.ROOT);
            for (Driver driver : Driver.values()) {
                if (lower.startsWith(driver.prefix)) {
                    throw fail("must start with lowercase " + driver.prefix);
                }
            }
            String guidance = "Lagwise does the routing itself, so give it one plain url per node: " + FORMS;
            if (lower.startsWith("jdbc:mariadb:") || lower.startsWith("jdbc:mysql:")) {
                throw new IllegalArgumentException(
                        "unsupported jdbc url \"" + Redaction.redactUrl(url) + "\": " + guidance);
            }
            throw new IllegalArgumentException("unsupported jdbc url \"" + Redaction.redactUrl(url) + "\": only MariaDB and MySQL are supported; " + guidance);
        }

        private int port(int from, int to) {
            int value = 0;
            boolean valid = from < to && to - from <= 5;
            for (int i = from; valid && i < to; i++) {
                char c = url.charAt(i);
                valid = c >= '0' && c <= '9';
                value = value * 10 + (c - '0');
            }
            if (!valid || value < 1 || value > 65_535) {
                throw fail("has an invalid port" + quote(from, to) + ": must be a number from 1 to 65535");
            }
            return value;
        }

        private void parameters(int from, Map<String, String> parameters, StringBuilder redacted) {
            int start = from;
            while (start <= url.length()) {
                int end = url.indexOf('&', start);
                if (end < 0) {
                    end = url.length();
                }
                if (end > start) { // empty segments, as in "?a=1&&b=2" or a trailing '&', are skipped
                    int equals = url.indexOf('=', start);
                    if (equals < 0 || equals >= end) {
                        // Not quoted: it may be the tail of a password that holds a raw '&'.
                        throw fail("has a parameter without '=': every parameter must be name=value");
                    }
                    String name = url.substring(start, equals);
                    if (!PARAMETER_NAME.matcher(name).matches()) {
                        throw fail("has a parameter with an invalid name:"
                                + " letters, digits, '.', '-' and '_' only");
                    }
                    String value = Redaction.isSecretName(name) ? MASK : url.substring(equals + 1, end);
                    if (parameters.putIfAbsent(name, value) != null) {
                        throw fail("sets parameter \"" + name + "\" twice");
                    }
                    if (parameters.size() > 1) {
                        redacted.append('&');
                    }
                    redacted.append(name).append('=').append(value);
                }
                start = end + 1;
            }
        }

        /**
         * Quotes url[from, to) for a message, or returns "" when part of it is masked by {@link
         * Redaction#redactUrl(String)}, which happens when a password holds a raw '/', '?' or '@'.
         */
        private String quote(int from, int to) {
            for (int i = 0; i < secrets.length; i += 2) {
                if (from < secrets[i + 1] && to > secrets[i]) {
                    return "";
                }
            }
            return " \"" + url.substring(from, to) + "\"";
        }

        private IllegalArgumentException fail(String problem) {
            return new IllegalArgumentException("jdbc url \"" + Redaction.redactUrl(url) + "\" " + problem);
        }

        private static int indexOfAny(String text, int from, char a, char b) {
            for (int i = from; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == a || c == b) {
                    return i;
                }
            }
            return text.length();
        }
    }
}
