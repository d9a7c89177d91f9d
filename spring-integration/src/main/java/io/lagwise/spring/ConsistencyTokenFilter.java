package io.lagwise.spring;

import io.lagwise.core.ConsistencyToken;
import io.lagwise.core.GtidSet;
import io.lagwise.jdbc.ConsistencySession;
import io.lagwise.jdbc.InvalidSettingException;
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
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.CallableProcessingInterceptor;
import org.springframework.web.context.request.async.WebAsyncUtils;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Read-your-writes across HTTP requests and application instances. Each request runs in its own
 * {@link ConsistencySession}; the token of the user's last write arrives in a cookie (browsers) or
 * a request header (API clients), and the request's own newest token leaves in a cookie and a
 * response header, set before the response is committed. So a POST that writes on one instance and
 * the GET that follows on another read no older than the write.
 *
 * <p>The token from the client is untrusted input: it is length-checked and parsed strictly, a
 * malformed one is ignored (logged at DEBUG, never echoed), and a time in the future is clamped to
 * now. A forged position that no replica reaches costs only that client: each of its reads waits
 * on a replica for at most {@code lagwise.read-your-writes.max-wait}, then reads the master. The
 * token holds a GTID position and a time, nothing secret.
 *
 * <p>Spring MVC's asynchronous handlers ({@code Callable}) run with the request's session, and
 * the token is written on the async dispatch that completes the response. Work the request hands to
 * threads of its own does not carry the session: attach it there with
 * {@link ConsistencySession#attach()} ({@code dataSource.session()} returns it on the request's
 * thread).
 */
public class ConsistencyTokenFilter extends OncePerRequestFilter implements Ordered {

    /** Where the filter runs: early, so that everything reading data on the request sees the token. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

    private static final Logger log = LoggerFactory.getLogger(ConsistencyTokenFilter.class);
    /**
     * The longest value read from a cookie or header: the longest token, each character
     * percent-encoded (three characters). Longer values are not decoded at all; what decodes to more
     * than {@link ConsistencyToken#MAX_LENGTH} is rejected by the parser unread.
     */
    private static final int MAX_ENCODED_LENGTH = 3 * ConsistencyToken.MAX_LENGTH;
    private static final String SESSION_ATTRIBUTE = ConsistencyTokenFilter.class.getName() + ".session";
    private final java.util.concurrent.atomic.AtomicBoolean warnedTooManyDomains = new java.util.concurrent.atomic.AtomicBoolean();

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
     * @throws NullPointerException if {@code dataSource} is null
     * @throws InvalidSettingException if a name is blank or not a valid token name (setting
     *     {@code cookieName} or {@code headerName}), or the max age is shorter than 1 s
     *     ({@code cookieMaxAge})
     */
    public ConsistencyTokenFilter(LagwiseDataSource dataSource, String cookieName, String headerName,
            Duration cookieMaxAge) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.cookieName = checkName("cookieName", "cookie name", cookieName);
        this.headerName = checkName("headerName", "header name", headerName);
        if (cookieMaxAge == null || cookieMaxAge.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidSettingException("cookieMaxAge", "cookie max age must be at least 1s, was " + cookieMaxAge);
        }
        this.cookieMaxAge = cookieMaxAge;
    }

    private static String checkName(String setting, String what, String name) {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new InvalidSettingException(setting, what + " must be a non-empty HTTP token (letters, digits, '-', '_' and the like), was '" + name + "'");
        }
        return name;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false; // the async dispatch completes the response: the token is written there
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return true; // the request's own dispatch has written the token, or will, in its finally
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ConsistencySession session = (ConsistencySession) request.getAttribute(SESSION_ATTRIBUTE);
        ConsistencySession.Scope scope;
        if (session == null) {
            session = dataSource.openSession();
            scope = session::close;
            request.setAttribute(SESSION_ATTRIBUTE, session);
            accept(session, request.getHeader(headerName));
            accept(session, cookie(request));
            WebAsyncUtils.getAsyncManager(request).registerCallableInterceptor(SESSION_ATTRIBUTE,
                    new AttachingInterceptor(session));
        } else {
            scope = session.attach(); // an async dispatch of the same request
        }
        TokenResponse wrapped = new TokenResponse(request, response, session, cookie(request));
        try {
            chain.doFilter(request, wrapped);
        } finally {
            try {
                if (!request.isAsyncStarted()) {
                    wrapped.writeToken(); // also after an exception: the writes before it are committed
                }
            } finally {
                scope.close();
            }
        }
    }

    /** Runs a Spring MVC {@code Callable} with the request's session. */
    private static final class AttachingInterceptor implements CallableProcessingInterceptor {
        private final ConsistencySession session;
        private final ThreadLocal<ConsistencySession.Scope> scope = new ThreadLocal<>();

        AttachingInterceptor(ConsistencySession session) {
            this.session = session;
        }

        @Override
        public <T> void preProcess(NativeWebRequest request, Callable<T> task) {
            scope.set(session.attach());
        }

        @Override
        public <T> void postProcess(NativeWebRequest request, Callable<T> task, Object result) {
            ConsistencySession.Scope s = scope.get();
            if (s != null) {
                scope.remove();
                s.close();
            }
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
        if (value.length() > MAX_ENCODED_LENGTH) {
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
        private volatile boolean written;

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
            ConsistencyToken current = session.token();
            if (current.isEmpty()) {
                return;
            }
            if (!current.isExportable()) {
                if (warnedTooManyDomains.compareAndSet(false, true)) {
                    log.warn("a consistency token with {} GTID domains is more than the {} a token carries between requests; such requests get no token", current.position().size(), GtidSet.MAX_DOMAINS);
                }
                return;
            }
            String token = current.export();
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
        public void sendRedirect(String location, boolean clearBuffer) throws IOException {
            writeToken();
            super.sendRedirect(location, clearBuffer);
        }

        @Override
        public void sendRedirect(String location, int sc) throws IOException {
            writeToken();
            super.sendRedirect(location, sc);
        }

        @Override
        public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
            writeToken();
            super.sendRedirect(location, sc, clearBuffer);
        }

        @Override
        public void reset() {
            super.reset();
            written = false; // the header and cookie went with it
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
