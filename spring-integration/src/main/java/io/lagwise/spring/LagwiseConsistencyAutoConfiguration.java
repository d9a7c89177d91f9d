package io.lagwise.spring;

import io.lagwise.jdbc.LagwiseDataSource;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;

/**
 * Makes {@link ReadConsistency} work on Spring beans: an AOP advisor (infrastructure, like the one
 * behind {@code @Transactional}) that runs annotated methods within
 * {@link LagwiseDataSource#withConsistency}.
 */
@AutoConfiguration(after = LagwiseAutoConfiguration.class)
@ConditionalOnSingleCandidate(LagwiseDataSource.class)
public final class LagwiseConsistencyAutoConfiguration {

    /** Created by Spring. */
    public LagwiseConsistencyAutoConfiguration() {}

    /** The advisor for {@link ReadConsistency} on methods and classes. */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static Advisor lagwiseReadConsistencyAdvisor(
            org.springframework.beans.factory.ObjectProvider<LagwiseDataSource> dataSource) {
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(ReadConsistency.class, true))
                .union(new AnnotationMatchingPointcut(null, ReadConsistency.class, true));
        DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(pointcut,
                new ReadConsistencyInterceptor(dataSource));
        advisor.setOrder(Ordered.LOWEST_PRECEDENCE - 100);
        return advisor;
    }
}
