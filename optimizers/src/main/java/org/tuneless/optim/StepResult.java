package org.tuneless.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one optimizer step did: the learning rate it actually applied and named diagnostics (CDAT n/d, AGD G, ECCO Δt,
 * line-search trials, ...), in insertion order. The size of the update is not reported here: the trainer measures
 * ‖w_{t+1} − w_t‖ itself (the {@code update_norm} column), one source of truth for every optimizer.
 */
public record StepResult(double learningRate, Map<String, Double> diagnostics) {

    public StepResult {
        diagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
    }

    public static StepResult of(double learningRate) {
        return new StepResult(learningRate, Map.of());
    }
}
