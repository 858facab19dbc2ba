package org.tuneless.curvature;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;
import org.tuneless.objective.Objective;
import org.tuneless.tensor.Vectors;

/**
 * Power iteration for the largest-magnitude eigenvalue of a symmetric operator (Roulet et al., arXiv 2407.06183, App. C.4; docs/methods.md §6.2: at most 1000
 * iterations, stop at 1e-3 relative change of the Rayleigh quotient). Returns the signed eigenvalue, so a Hessian whose
 * most negative eigenvalue dominates reports it as negative (docs/methods.md §6.2). Start: a seeded Gaussian vector, or a
 * given one — when tracking during training, the previous eigenvector (a warm start that usually needs far fewer HVPs).
 *
 * <pre>{@code SharpnessEstimate s = PowerIteration.builder().tolerance(1e-3).maxIterations(1000).seed(0).build().run(objective);}</pre>
 */
public final class PowerIteration {

    private final double tolerance;
    private final int maxIterations;
    private final long seed;
    private final double shift;

    private PowerIteration(Builder b) {
        if (!(b.tolerance > 0)) throw new IllegalArgumentException("power iteration: tolerance = " + b.tolerance + " must be positive");
        if (b.maxIterations < 1) throw new IllegalArgumentException("power iteration: maxIterations = " + b.maxIterations + " must be ≥ 1");
        this.tolerance = b.tolerance;
        this.maxIterations = b.maxIterations;
        this.seed = b.seed;
        this.shift = b.shift;
    }

    public static Builder builder() { return new Builder(); }

    /** Defaults of the CDAT paper: tolerance 1e-3, at most 1000 iterations, seed 0. */
    public static PowerIteration defaults() { return builder().build(); }

    /** λmax of the objective's Hessian at its current parameters (the forward pass once: {@link HessianOperator#fixed}). */
    public SharpnessEstimate run(Objective objective) {
        try (HessianOperator h = HessianOperator.fixed(objective)) {
            return run(h, null);
        }
    }

    public SharpnessEstimate run(LinearOperator op) { return run(op, null); }

    /** Runs from {@code start} (copied; null = seeded random). */
    public SharpnessEstimate run(LinearOperator op, INDArray start) {
        long n = op.dimension();
        INDArray v, w;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            v = start != null ? start.castTo(op.dataType()).reshape(n).dup() : RandomVectors.gaussian(RandomVectors.generator(seed), op.dataType(), n);
            w = Nd4j.zeros(op.dataType(), n);
        }
        double norm = Vectors.norm(v);
        if (!(norm > 0) || !Double.isFinite(norm)) throw new IllegalArgumentException("power iteration needs a finite non-zero start vector");
        v.divi(norm);
        double lambda = Double.NaN, previous = Double.NaN;
        boolean converged = false;
        long before = op.applications();
        for (int i = 0; i < maxIterations; i++) {
            op.apply(v, w);
            if (shift != 0) Vectors.axpy(-shift, v, w);
            lambda = Vectors.dot(v, w);
            double wn = Vectors.norm(w);
            if (i > 0 && Math.abs(lambda - previous) <= tolerance * Math.abs(previous)) {
                converged = true;
                break;
            }
            if (wn == 0) {  // v is in the null space: λ = 0 exactly
                converged = true;
                break;
            }
            previous = lambda;
            v.assign(w).divi(wn);
        }
        return new SharpnessEstimate(lambda + shift, v, op.applications() - before, converged);
    }

    public static final class Builder {
        private double tolerance = 1e-3;
        private int maxIterations = 1000;
        private long seed;
        private double shift;

        private Builder() {}

        /** Stop when |λᵢ − λᵢ₋₁| ≤ tolerance·|λᵢ₋₁| (default 1e-3). */
        public Builder tolerance(double tolerance) { this.tolerance = tolerance; return this; }

        public Builder maxIterations(int maxIterations) { this.maxIterations = maxIterations; return this; }

        /** Seed of the random start vector. */
        public Builder seed(long seed) { this.seed = seed; return this; }

        /**
         * Iterates on A − shift·I and reports λ + shift: with shift = λ₁ (the dominant eigenvalue) this finds the other
         * end of the spectrum.
         */
        public Builder shift(double shift) { this.shift = shift; return this; }

        public PowerIteration build() { return new PowerIteration(this); }
    }
}
