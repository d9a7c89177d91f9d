package io.lagwise.spring;

import io.lagwise.jdbc.ConsistencySession;
import io.lagwise.jdbc.LagwiseDataSource;
import java.lang.reflect.Method;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;

/** Runs a {@link ReadConsistency} method within {@link LagwiseDataSource#withConsistency}. */
final class ReadConsistencyInterceptor implements MethodInterceptor {

    /** Resolved on first use: advisors are made before the beans they advise, the data source among them. */
    private final ObjectProvider<LagwiseDataSource> dataSource;

    ReadConsistencyInterceptor(ObjectProvider<LagwiseDataSource> dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        ReadConsistency level = find(invocation);
        if (level == null) {
            return invocation.proceed();
        }
        try (ConsistencySession.Scope scope = dataSource.getObject().withConsistency(level.value())) {
            return invocation.proceed();
        }
    }

    private static ReadConsistency find(MethodInvocation invocation) {
        Class<?> target = invocation.getThis() == null ? invocation.getMethod().getDeclaringClass()
                : AopUtils.getTargetClass(invocation.getThis());
        Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), target);
        ReadConsistency found = AnnotatedElementUtils.findMergedAnnotation(method, ReadConsistency.class);
        return found != null ? found : AnnotatedElementUtils.findMergedAnnotation(target, ReadConsistency.class);
    }
}
