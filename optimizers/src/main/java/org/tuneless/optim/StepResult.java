package org.tuneless.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one optimizer step did: the learning rate it actually applied, the norm of the parameter update,
 * and named diagnostics (CDAT n/d, AGD G, ECCO Δt, line-search trials, ...). Diagnostics keep insertion order.
 */
public record StepResult(double learningRate, double updateNorm, Map<String, Double> diagnostics) {

    public StepResult {
        diagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
    }

    public static StepResult of(double learningRate, double updateNorm) {
        return new StepResult(learningRate, updateNorm, Map.of());
    }
}
