package io.lagwise.spring;

import io.lagwise.jdbc.InvalidSettingException;
import io.lagwise.jdbc.LagwiseDataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Read-your-writes across HTTP requests in servlet web applications: a
 * {@link ConsistencyTokenFilter} that gives each request a consistency session and carries its
 * token to the user's next request in a cookie and a header ({@code lagwise.web.*}). Off with
 * {@code lagwise.web.enabled=false}. Applies to the auto-configured data source and to an
 * application's own bean declared as {@code LagwiseDataSource}.
 */
@AutoConfiguration(after = LagwiseAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = {"jakarta.servlet.Filter", "org.springframework.web.filter.OncePerRequestFilter"})
@ConditionalOnSingleCandidate(LagwiseDataSource.class)
@ConditionalOnProperty(prefix = "lagwise.web", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(LagwiseProperties.class)
public final class LagwiseWebAutoConfiguration {

    /** Created by Spring. */
    public LagwiseWebAutoConfiguration() {}

    /**
     * The filter, registered by Spring Boot for every request at {@link ConsistencyTokenFilter#ORDER}.
     *
     * @throws LagwiseConfigurationException if a {@code lagwise.web.*} value cannot be used
     */
    @Bean
    @ConditionalOnMissingBean
    public ConsistencyTokenFilter lagwiseConsistencyTokenFilter(LagwiseDataSource dataSource,
            LagwiseProperties properties) {
        LagwiseProperties.Web web = properties.getWeb();
        try {
            return new ConsistencyTokenFilter(dataSource, web.getCookieName(), web.getHeaderName(), web.getCookieMaxAge());
        } catch (InvalidSettingException e) {
            throw SettingProperties.invalid(e.setting(), e.getMessage(), e);
        }
    }
}
