package io.lagwise.spring;

import io.lagwise.jdbc.LagwiseDataSource;

/**
 * Changes the auto-configured {@link LagwiseDataSource} before it is built, after the
 * {@code lagwise.*} properties are applied: for what properties cannot say, such as a custom
 * {@code ReplicaSelector} or a {@code ClusterListener}. Declare one or more as beans; they run in
 * {@link org.springframework.core.annotation.Order @Order}.
 *
 * <pre>{@code
 * @Bean
 * LagwiseDataSourceCustomizer alerts(Pager pager) {
 *     return builder -> builder.listener((node, previous) -> pager.tell(node.name() + " is " + node.health()));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface LagwiseDataSourceCustomizer {

    /**
     * Changes the builder; called once, on the thread that creates the data source.
     *
     * @param builder the builder, with the properties applied
     */
    void customize(LagwiseDataSource.Builder builder);
}
