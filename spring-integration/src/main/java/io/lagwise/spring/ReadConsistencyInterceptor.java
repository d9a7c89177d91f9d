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
    private final ObjectProvider<LagwiseDataSource> provider;
    private volatile LagwiseDataSource dataSource;

    ReadConsistencyInterceptor(ObjectProvider<LagwiseDataSource> provider) {
        this.provider = provider;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        ReadConsistency level = find(invocation);
        if (level == null) {
            return invocation.proceed();
        }
        LagwiseDataSource ds = dataSource;
        if (ds == null) {
            ds = provider.getObject();
            dataSource = ds;
        }
        try (ConsistencySession.Scope scope = ds.withConsistency(level.value())) {
            return invocation.proceed();
        }
    }

    /**
     * The method's annotation (on the implementation, or on the interface method called, as on a
     * Spring Data repository), else its class's (the implementation's, or an interface the proxy
     * implements).
     */
    private static ReadConsistency find(MethodInvocation invocation) {
        Method called = invocation.getMethod();
        Class<?> target = invocation.getThis() == null ? called.getDeclaringClass()
                : AopUtils.getTargetClass(invocation.getThis());
        Method method = AopUtils.getMostSpecificMethod(called, target);
        ReadConsistency found = AnnotatedElementUtils.findMergedAnnotation(method, ReadConsistency.class);
        if (found == null && method != called) {
            found = AnnotatedElementUtils.findMergedAnnotation(called, ReadConsistency.class);
        }
        if (found == null) {
            found = AnnotatedElementUtils.findMergedAnnotation(target, ReadConsistency.class);
        }
        if (found == null && invocation.getThis() != null) {
            for (Class<?> face : org.springframework.aop.framework.AopProxyUtils.proxiedUserInterfaces(invocation.getThis())) {
                found = AnnotatedElementUtils.findMergedAnnotation(face, ReadConsistency.class);
                if (found != null) {
                    break;
                }
            }
        }
        return found;
    }
}
