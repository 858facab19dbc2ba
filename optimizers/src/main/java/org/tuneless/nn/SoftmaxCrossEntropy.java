package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy on logits y with one-hot (or any probability-vector) targets t, averaged over the batch:
 * L = (1/B) Σ_b [logsumexp(y_b) − t_b·y_b]. Gradient (p − t)/B; Hessian-vector (p⊙ẏ − p·(pᵀẏ))/B per row.
 */
public final class SoftmaxCrossEntropy implements Loss {

    @Override public String name() { return "ce"; }

    @Override public Evaluation evaluate(INDArray y, INDArray t) {
        long batch = y.size(0);
        INDArray max = y.max(1);
        INDArray e = Transforms.exp(y.subColumnVector(max), false);
        INDArray sum = e.sum(1);
        INDArray p = e.diviColumnVector(sum);
        double logSumExp = Transforms.log(sum, false).addi(max).sumNumber().doubleValue();
        double targetScore = y.mul(t).sumNumber().doubleValue();
        double value = (logSumExp - targetScore) / batch;
        return new Evaluation() {
            @Override public double value() { return value; }

            @Override public INDArray gradient() { return p.sub(t).divi(batch); }

            @Override public INDArray hessianTimes(INDArray dy) {
                INDArray pdy = p.mul(dy);
                INDArray s = pdy.sum(1);
                return pdy.subi(p.mulColumnVector(s)).divi(batch);
            }
        };
    }
}
