package org.tuneless.objective;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A twice-differentiable function of one flat parameter vector: the loss of a network on a batch,
 * or a synthetic test problem. Every method evaluates at the current {@link #parameters()}; moving that
 * vector (in place) moves the point. Curvature is exact (no finite differences).
 */
public interface Objective {

    /** The live flat parameter vector. Mutating it in place moves the point where everything is evaluated. */
    INDArray parameters();

    default long dimension() { return parameters().length(); }

    default DataType dataType() { return parameters().dataType(); }

    /** f(w). */
    double loss();

    /** f(w); writes ∇f(w) into {@code gradientOut} (same length and type as the parameters). */
    double lossAndGradient(INDArray gradientOut);

    /** Writes the exact Hessian-vector product H(w)·v into {@code out}. */
    void hvp(INDArray v, INDArray out);

    /** uᵀH(w)u, the second directional derivative d²/dt² f(w + t u) at t = 0. */
    double curvatureAlong(INDArray u);

    /** f at another point, leaving the current parameters unchanged. */
    default double lossAt(INDArray point) {
        INDArray w = parameters();
        INDArray saved = w.dup();
        try {
            w.assign(point);
            return loss();
        } finally {
            w.assign(saved);
        }
    }
}
