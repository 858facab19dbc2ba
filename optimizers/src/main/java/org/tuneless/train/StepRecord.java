package org.tuneless.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One training step: the loss at the parameters before the step, the learning rate the optimizer applied, the
 * gradient and update norms, wall time since the run started, and named extra metrics (optimizer diagnostics such as
 * {@code cdat.n}, curvature measurements such as {@code sharpness}); a metric absent on a step is simply not in the map.
 */
public record StepRecord(long step, long epoch, double loss, double learningRate, double gradientNorm, double updateNorm,
                         double seconds, Map<String, Double> metrics) {

    public StepRecord {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** A metric's value on this step, or NaN if it was not measured. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
