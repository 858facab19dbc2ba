package org.tuneless.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.objective.Objective;

/**
 * λmax(P^{-1/2} H P^{-1/2}) for a diagonal preconditioner P (Roulet et al., arXiv 2407.06183, App. B.1, after Cohen et al., arXiv 2207.14484; docs/methods.md §6.3): the
 * sharpness an adaptive method (RMSProp, Adam: P = √v̂ + ε) actually sees; its edge of stability is 2/η.
 */
public final class PreconditionedSharpness {

    private PreconditionedSharpness() {}

    public static SharpnessEstimate estimate(Objective objective, INDArray diagonal, PowerIteration power, INDArray start) {
        try (HessianOperator h = HessianOperator.fixed(objective)) {
            return power.run(HessianOperator.preconditioned(h, diagonal), start);
        }
    }

    public static SharpnessEstimate estimate(Objective objective, INDArray diagonal) {
        return estimate(objective, diagonal, PowerIteration.defaults(), null);
    }
}
