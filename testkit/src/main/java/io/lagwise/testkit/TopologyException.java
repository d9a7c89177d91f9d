package io.lagwise.testkit;

/**
 * A topology could not be started or controlled. The message says what is missing and how to fix
 * it and, when a server failed, ends with the tail of that server's error log.
 */
public class TopologyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what went wrong and how to fix it. */
    public TopologyException(String message) {
        super(message);
    }

    /** Creates an exception with a message and its cause. */
    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }
}
