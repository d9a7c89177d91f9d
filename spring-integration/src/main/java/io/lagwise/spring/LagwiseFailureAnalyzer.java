package io.lagwise.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link LagwiseConfigurationException} at start-up: the property, the problem, the fix. */
final class LagwiseFailureAnalyzer extends AbstractFailureAnalyzer<LagwiseConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, LagwiseConfigurationException cause) {
        return new FailureAnalysis("Lagwise could not start: " + cause.getMessage(), cause.action(), cause);
    }
}
