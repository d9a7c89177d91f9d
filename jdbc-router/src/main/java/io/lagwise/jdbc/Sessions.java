package io.lagwise.jdbc;

/**
 * Which {@link ConsistencySession} the current thread uses: one bound explicitly, else the thread's
 * own default. Per data source, never static.
 */
final class Sessions {

    private final ThreadLocal<ConsistencySession> bound = new ThreadLocal<>();
    private final ThreadLocal<ConsistencySession> threadDefault = ThreadLocal.withInitial(
            () -> new ConsistencySession(this, false));

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
        private boolean closed;

        Binding(ConsistencySession previous) {
            this.previous = previous;
        }

        void close() {
            if (closed) {
                return;
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
