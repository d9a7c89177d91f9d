package io.lagwise.jdbc;

/**
 * A Lagwise property that is unknown, malformed, missing or refused ({@link LagwiseSettings}): names
 * where the properties came from, the property, and its value — a password's masked, and anything
 * shaped like a secret in a URL too.
 */
public final class LagwiseSettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String origin;
    private final String property;

    LagwiseSettingsException(String origin, String property, String value, String reason, Throwable cause) {
        super(origin + ": " + property + (value == null ? "" : "=" + shown(property, value)) + " " + reason, cause);
        this.origin = origin;
        this.property = property;
    }

    private static String shown(String property, String value) {
        String name = property.toLowerCase(java.util.Locale.ROOT);
        if (name.contains("pass") || name.contains("pw") || name.contains("secret")) {
            return "****";
        }
        return Redaction.redact(value);
    }

    /** Where the properties came from: a file, a classpath resource. */
    public String origin() {
        return origin;
    }

    /** The property, e.g. {@code lagwise.replicas[1].region}. */
    public String property() {
        return property;
    }
}
