package io.lagwise.spring;

import io.lagwise.jdbc.ConsistencySession;
import io.lagwise.jdbc.LagwiseDataSource;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Read-your-writes across HTTP requests and application instances. Each request runs in its own
 * {@link ConsistencySession}; the token of the user's last write arrives in a cookie (browsers) or
 * a request header (API clients), and the request's own newest token leaves in a cookie and a
 * response header, set before the response is committed. So a POST that writes on one instance and
 * the GET that follows on another read no older than the write.
 *
 * <p>The token from the client is untrusted input: it is length-checked and parsed strictly, a
 * malformed one is ignored (logged at DEBUG, never echoed), and a forged one can at worst send that
 * client's own reads to the master. It holds a GTID position and a time, nothing secret.
 *
 * <p>Work the request hands to another thread does not carry the session; attach it there with
 * {@link ConsistencySession#attach()} ({@code dataSource.session()} returns it on the request's thread).
 */
public class ConsistencyTokenFilter extends OncePerRequestFilter implements Ordered {

    /** Where the filter runs: early, so that everything reading data on the request sees the token. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

    private static final Logger log = LoggerFactory.getLogger(ConsistencyTokenFilter.class);
    /** Far longer than any real token (a few GTID domains); longer values are not parsed at all. */
    private static final int MAX_TOKEN_LENGTH = 1024;

    private final LagwiseDataSource dataSource;
    private final String cookieName;
    private final String headerName;
    private final Duration cookieMaxAge;

    /**
     * A filter for {@code dataSource}.
     *
     * @param dataSource the data source whose sessions carry the tokens
     * @param cookieName the cookie's name, e.g. {@code lagwise-consistency}
     * @param headerName the header's name, e.g. {@code Lagwise-Consistency}
     * @param cookieMaxAge how long the browser keeps the cookie
     * @throws IllegalArgumentException if a name is blank or not a valid token name, or the max age
     *     is not positive
     */
    public ConsistencyTokenFilter(LagwiseDataSource dataSource, String cookieName, String headerName,
            Duration cookieMaxAge) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.cookieName = checkName("cookie name", cookieName);
        this.headerName = checkName("header name", headerName);
        if (cookieMaxAge == null || cookieMaxAge.isNegative() || cookieMaxAge.isZero()) {
            throw new IllegalArgumentException("cookie max age must be positive, was " + cookieMaxAge);
        }
        this.cookieMaxAge = cookieMaxAge;
    }

    private static String checkName(String what, String name) {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException(what + " must be a non-empty HTTP token (letters, digits, '-', '_'"
                    + " and the like), was '" + name + "'");
        }
        return name;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try (ConsistencySession session = dataSource.openSession()) {
            String fromCookie = cookie(request);
            accept(session, request.getHeader(headerName));
            accept(session, fromCookie);
            TokenResponse wrapped = new TokenResponse(request, response, session, fromCookie);
            chain.doFilter(request, wrapped);
            wrapped.writeToken();
        }
    }

    private String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        String newest = null;
        for (Cookie c : cookies) {
            if (cookieName.equals(c.getName())) {
                newest = c.getValue();
            }
        }
        return newest;
    }

    private void accept(ConsistencySession session, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        if (value.length() > MAX_TOKEN_LENGTH) {
            log.debug("ignored a consistency token of {} characters", value.length());
            return;
        }
        try {
            session.importToken(URLDecoder.decode(value, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            log.debug("ignored a malformed consistency token: {}", e.getMessage());
        }
    }

    /** The response, with the token written into it once, before anything commits it. */
    private final class TokenResponse extends HttpServletResponseWrapper {
        private final HttpServletRequest request;
        private final ConsistencySession session;
        private final String receivedCookie;
        private boolean written;

        TokenResponse(HttpServletRequest request, HttpServletResponse response, ConsistencySession session,
                String receivedCookie) {
            super(response);
            this.request = request;
            this.session = session;
            this.receivedCookie = receivedCookie;
        }

        void writeToken() {
            if (written) {
                return;
            }
            written = true;
            HttpServletResponse response = (HttpServletResponse) getResponse();
            if (response.isCommitted()) {
                return;
            }
            String token = session.export();
            if (token.isEmpty()) {
                return;
            }
            String encoded = URLEncoder.encode(token, StandardCharsets.UTF_8);
            response.setHeader(headerName, encoded);
            if (!encoded.equals(receivedCookie)) {
                Cookie cookie = new Cookie(cookieName, encoded);
                cookie.setPath(request.getContextPath().isEmpty() ? "/" : request.getContextPath());
                cookie.setMaxAge((int) Math.min(Integer.MAX_VALUE, cookieMaxAge.toSeconds()));
                cookie.setHttpOnly(true);
                cookie.setSecure(request.isSecure());
                cookie.setAttribute("SameSite", "Lax");
                response.addCookie(cookie);
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            writeToken();
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            writeToken();
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            writeToken();
            super.flushBuffer();
        }

        @Override
        public void sendRedirect(String location) throws IOException {
            writeToken();
            super.sendRedirect(location);
        }

        @Override
        public void sendError(int sc) throws IOException {
            writeToken();
            super.sendError(sc);
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            writeToken();
            super.sendError(sc, msg);
        }
    }
}
