package io.lagwise.jdbc;

import io.lagwise.core.Consistency;
import io.lagwise.core.Ticker;

/**
 * Which {@link ConsistencySession} the current thread uses: one bound explicitly, else the thread's
 * own default. Per data source, never static.
 */
final class Sessions {

    private final ThreadLocal<ConsistencySession> bound = new ThreadLocal<>();
    // A default session holds no reference to this object: a thread-local value must not keep its
    // own key (and so a closed data source) reachable.
    private final ThreadLocal<ConsistencySession> threadDefault;
    private final Ticker ticker;

    Sessions(Ticker ticker) {
        this.ticker = ticker;
        this.threadDefault = ThreadLocal.withInitial(() -> new ConsistencySession(null, false, ticker));
    }

    /** A new session, bound to the current thread until it is closed. */
    ConsistencySession open() {
        return new ConsistencySession(this, true, ticker);
    }

    /** The innermost consistency scope open on this thread ({@code withConsistency}), or null. */
    private final ThreadLocal<Level> consistency = new ThreadLocal<>();

    Consistency consistency() {
        Level l = consistency.get();
        return l == null ? null : l.level;
    }

    /** Sets this thread's consistency until the returned scope is closed; the previous one comes back. */
    ConsistencySession.Scope consistency(Consistency level) {
        Level scope = new Level(level, consistency.get());
        consistency.set(scope);
        return scope;
    }

    /** One {@code withConsistency} scope; scopes nest and must be closed innermost first. */
    private final class Level implements ConsistencySession.Scope {
        final Consistency level;
        final Level outer;
        final Thread thread = Thread.currentThread();
        boolean closed;

        Level(Consistency level, Level outer) {
            this.level = level;
            this.outer = outer;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a consistency scope must be closed on the thread that opened it (" + thread.getName() + ")");
            }
            if (consistency.get() != this) {
                throw new IllegalStateException("consistency scopes must be closed innermost first (use try-with-resources); an inner " + consistency.get().level + " scope is still open");
            }
            closed = true;
            if (outer == null) {
                consistency.remove();
            } else {
                consistency.set(outer);
            }
        }
    }

    ConsistencySession current() {
        ConsistencySession s = bound.get();
        return s != null ? s : threadDefault.get();
    }

    /** Binds {@code session} to this thread until the binding is closed. */
    Binding bind(ConsistencySession session) {
        ConsistencySession previous = bound.get();
        bound.set(session);
        return new Binding(previous);
    }

    /** Restores the previous binding once. */
    final class Binding {
        private final ConsistencySession previous;
        private final Thread thread = Thread.currentThread();
        private boolean closed;

        Binding(ConsistencySession previous) {
            this.previous = previous;
        }

        void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a consistency session scope must be closed on the thread that opened it (" + thread.getName() + ")");
            }
            closed = true;
            if (previous == null) {
                bound.remove();
            } else {
                bound.set(previous);
            }
        }
    }
}
