package org.tuneless.curvature;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;
import org.tuneless.objective.Objective;
import org.tuneless.tensor.Vectors;

/**
 * Hutchinson's trace estimator tr(A) ≈ (1/p) Σ zᵢᵀAzᵢ with Rademacher probes zᵢ (seeded), and its standard error
 * s/√p from the sample standard deviation s of the p probe values.
 */
public final class HutchinsonTrace {

    /** The estimate, its standard error and the number of probes (= HVPs). */
    public record Estimate(double trace, double standardError, int probes) {}

    private HutchinsonTrace() {}

    public static Estimate estimate(Objective objective, int probes, long seed) {
        try (HessianOperator h = HessianOperator.fixed(objective)) {
            return estimate(h, probes, seed);
        }
    }

    public static Estimate estimate(LinearOperator op, int probes, long seed) {
        if (probes < 2) throw new IllegalArgumentException("Hutchinson trace: probes = " + probes + " must be ≥ 2 (for a standard error)");
        SplittableRandom rng = RandomVectors.generator(seed);
        INDArray az;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            az = Nd4j.zeros(op.dataType(), op.dimension());
        }
        double[] values = new double[probes];
        double sum = 0;
        for (int i = 0; i < probes; i++) {
            INDArray z = RandomVectors.rademacher(rng, op.dataType(), op.dimension());
            op.apply(z, az);
            values[i] = Vectors.dot(z, az);
            sum += values[i];
        }
        double mean = sum / probes, squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);  // two-pass variance: no cancellation
        double variance = squares / (probes - 1);
        return new Estimate(mean, Math.sqrt(variance / probes), probes);
    }
}
