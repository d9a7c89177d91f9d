package io.lagwise.spring;

import io.lagwise.jdbc.LagwiseDataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator health ({@link LagwiseHealthIndicator}, as {@code lagwise}) and Micrometer meters
 * ({@link LagwiseMetrics}) for the application's {@link LagwiseDataSource}, whether auto-configured
 * or the application's own bean declared as {@code LagwiseDataSource} (a {@code @Bean DataSource}
 * method's declared type is all Spring sees before it runs); each only when its library is on the
 * classpath. Turn health off
 * with {@code management.health.lagwise.enabled=false}.
 */
@AutoConfiguration(after = LagwiseAutoConfiguration.class)
@ConditionalOnSingleCandidate(LagwiseDataSource.class)
public final class LagwiseOperationsAutoConfiguration {

    /** Created by Spring. */
    public LagwiseOperationsAutoConfiguration() {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Health {

        // Nested once more: its condition class lives in spring-boot-health, so it may only be read
        // once the class check above has passed.
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnEnabledHealthIndicator("lagwise")
        static class Enabled {

            @Bean
            @ConditionalOnMissingBean(name = "lagwiseHealthIndicator")
            LagwiseHealthIndicator lagwiseHealthIndicator(LagwiseDataSource dataSource) {
                return new LagwiseHealthIndicator(dataSource);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        LagwiseMetrics lagwiseMetrics(LagwiseDataSource dataSource) {
            return new LagwiseMetrics(dataSource);
        }
    }
}
