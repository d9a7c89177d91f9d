package io.lagwise.testkit;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link WithReplicationTopology}. Topologies live in the
 * extension store (the root store when shared), so JUnit closes them when their scope ends.
 */
public final class ReplicationTopologyExtension
        implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ReplicationTopologyExtension.class);

    /** Creates the extension; JUnit does this through {@link WithReplicationTopology}. */
    public ReplicationTopologyExtension() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        WithReplicationTopology config = find(context);
        if (config == null || config.backend() == TopologyBackend.LOCAL_PROCESSES
                || config.backend() == TopologyBackend.MYSQL_PROCESSES) {
            return ConditionEvaluationResult.enabled("local processes need no Docker");
        }
        String missing = ContainerSupport.unavailableReason();
        return missing == null ? ConditionEvaluationResult.enabled("Docker is available")
                : ConditionEvaluationResult.disabled(config.backend() + " needs Docker: " + missing);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        topology(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ReplicationTopology topology = topology(context);
        if (topology instanceof AbstractTopology<?> t && t.rolesChanged) {
            // a test promoted a replica: that cannot be undone, so the next test gets a new topology
            WithReplicationTopology config = find(context);
            ExtensionContext scope = config.shared() ? context.getRoot() : classContext(context);
            scope.getStore(NAMESPACE).remove(Key.of(config), ReplicationTopology.class);
            topology.close();
            topology(context);
            return;
        }
        topology.reset();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ReplicationTopology.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return topology(context);
        } catch (TopologyException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    private static ReplicationTopology topology(ExtensionContext context) {
        WithReplicationTopology config = find(context);
        if (config == null) {
            throw new ExtensionConfigurationException("a ReplicationTopology parameter needs @WithReplicationTopology on the test class");
        }
        Key key = Key.of(config);
        ExtensionContext scope = config.shared() ? context.getRoot() : classContext(context);
        return scope.getStore(NAMESPACE).getOrComputeIfAbsent(key, k -> k.start(), ReplicationTopology.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private static WithReplicationTopology find(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            if (c.getTestClass().isPresent()) {
                var found = AnnotationSupport.findAnnotation(c.getTestClass().get(), WithReplicationTopology.class);
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        return null;
    }

    /** What makes two declared topologies the same: a value built from the annotation. */
    record Key(TopologyBackend backend, boolean gtids, long delayMillis, long masterClientDelayMillis, List<ReplicaKey> replicas,
            boolean shared) {

        private record ReplicaKey(String region, long clientDelayMillis) {}

        static Key of(WithReplicationTopology config) {
            return new Key(config.backend(), config.gtids(), config.replicationDelayMillis(), config.masterClientDelayMillis(), Arrays.stream(config.replicas())
                    .map(r -> new ReplicaKey(r.region(), r.clientDelayMillis())).toList(), config.shared());
        }

        ReplicationTopology start() {
            if (delayMillis < 0) {
                throw new ExtensionConfigurationException("replicationDelayMillis cannot be negative: " + delayMillis);
            }
            TopologyBuilder builder = ReplicationTopology.builder().backend(backend).gtids(gtids)
                    .replicationDelay(Duration.ofMillis(delayMillis));
            if (masterClientDelayMillis >= 0) {
                builder.masterClientDelay(Duration.ofMillis(masterClientDelayMillis));
            }
            for (ReplicaKey r : replicas) {
                if (r.clientDelayMillis() < 0) {
                    builder.replica(r.region());
                } else {
                    builder.replica(r.region(), Duration.ofMillis(r.clientDelayMillis()));
                }
            }
            return builder.start();
        }
    }
}
