package io.lagwise.jdbc;

import java.util.List;

/**
 * Settings that are each valid cannot be used together, or a setting that may be given once was
 * given again: a replica that is the master's server or another replica's, a password both in a
 * node's URL and by setter, a {@code latencyWindow} beside a custom {@code replicaSelector}, a second
 * {@code master}. Thrown by {@link LagwiseDataSource.Builder}'s setters and {@code build()}.
 *
 * <p>{@link #settings()} names the settings involved as {@link InvalidSettingException#setting()}
 * does, in the order the message names them, so that a framework can point at its own properties
 * without reading the message.
 *
 * <p>A subclass of {@link IllegalStateException}, which the builder has always thrown for these:
 * code catching that keeps working.
 */
public final class ConflictingSettingsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final List<String> settings;

    /**
     * Creates the exception.
     *
     * @param settings the settings involved, in the order the message names them, such as
     *     {@code [replica[1].url, master.url]}; one name when a setting was given twice
     * @param message what conflicts, naming the settings (never a password)
     * @throws NullPointerException if {@code settings} is or holds null
     * @throws IllegalArgumentException if {@code settings} is empty
     */
    public ConflictingSettingsException(List<String> settings, String message) {
        super(message);
        this.settings = List.copyOf(settings);
        if (this.settings.isEmpty()) {
            throw new IllegalArgumentException("a conflict needs at least one setting");
        }
    }

    /**
     * The settings that conflict, named as the builder's calls name them.
     *
     * @return an unmodifiable list of one or more names, in the order the message names them,
     *     such as {@code [latencyWindow, replicaSelector]} or {@code [master.url, password]}
     */
    public List<String> settings() {
        return settings;
    }
}
