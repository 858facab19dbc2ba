package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Squared loss on one-hot (or real) targets, as the CDAT and AGD papers train classifiers:
 * L = (1/B) Σ_b ½‖y_b − t_b‖², summed over outputs and averaged over the batch ("mse" in the CLI).
 * Gradient (y − t)/B; Hessian ẏ/B.
 */
public final class SquaredLoss implements Loss {

    @Override public String name() { return "mse"; }

    @Override public Evaluation evaluate(INDArray y, INDArray t) {
        long batch = y.size(0);
        INDArray diff = y.sub(t);
        double norm = diff.norm2Number().doubleValue();
        double value = 0.5 * norm * norm / batch;
        return new Evaluation() {
            @Override public double value() { return value; }

            @Override public INDArray gradient() { return diff.div(batch); }

            @Override public INDArray hessianTimes(INDArray dy) { return dy.div(batch); }
        };
    }
}
