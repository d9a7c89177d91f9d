package io.lagwise.spring;

/**
 * A {@code lagwise.*} property has a value Lagwise cannot use. Start-up fails with it, and
 * {@link LagwiseFailureAnalyzer} turns it into a message that names the property and says what to
 * write instead.
 */
public class LagwiseConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String action;

    /**
     * Creates the exception.
     *
     * @param property the property, e.g. {@code lagwise.replicas[0].url}
     * @param problem what is wrong with its value (never the value of a password)
     * @param action what to write instead
     * @param cause the builder's own exception, if any
     */
    public LagwiseConfigurationException(String property, String problem, String action, Throwable cause) {
        super(property + ": " + problem, cause);
        this.property = property;
        this.action = action;
    }

    /** The property at fault, e.g. {@code lagwise.replicas[0].url}. */
    public String property() {
        return property;
    }

    /** What to write instead. */
    public String action() {
        return action;
    }
}
