package org.tuneless.nn;

import java.util.OptionalDouble;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Kernels;

/**
 * Softmax cross-entropy on logits y with one-hot (or any probability-vector) targets t, averaged over the batch:
 * L = (1/B) Σ_b [logsumexp(y_b) − t_b·y_b]. Gradient (p − t)/B; Hessian-vector (p⊙ẏ − p·(pᵀẏ))/B per row.
 * float32 logits take the fused kernels ({@link Kernels#softmaxCrossEntropy}, {@link Kernels#differenceOver},
 * {@link Kernels#softmaxHessianTimes}) when they are on and apply; otherwise (and always for float64) the ND4J ops below.
 */
public final class SoftmaxCrossEntropy implements Loss {

    @Override public String name() { return "ce"; }

    @Override public Evaluation evaluate(INDArray y, INDArray t) {
        long batch = y.size(0);
        if (y.dataType() == DataType.FLOAT && Kernels.fused()) {  // one pass per row
            INDArray probs = Nd4j.createUninitialized(DataType.FLOAT, y.shape());
            OptionalDouble fused = Kernels.softmaxCrossEntropy(y, t, probs);
            if (fused.isPresent()) return evaluation(fused.getAsDouble() / batch, probs, t, batch);
        }
        INDArray max = y.max(1);
        INDArray e = Transforms.exp(y.subColumnVector(max), false);
        INDArray sum = e.sum(1);
        INDArray p = e.diviColumnVector(sum);
        double logSumExp = Transforms.log(sum, false).addi(max).sumNumber().doubleValue();
        double targetScore = y.mul(t).sumNumber().doubleValue();
        return evaluation((logSumExp - targetScore) / batch, p, t, batch);
    }

    private static Evaluation evaluation(double value, INDArray p, INDArray t, long batch) {
        return new Evaluation() {
            @Override public double value() { return value; }

            @Override public INDArray gradient() {
                INDArray g = Nd4j.createUninitialized(p.dataType(), p.shape());
                return Kernels.differenceOver(p, t, batch, g) ? g : p.sub(t).divi(batch);
            }

            @Override public INDArray hessianTimes(INDArray dy) {
                INDArray out = Nd4j.createUninitialized(p.dataType(), p.shape());
                if (Kernels.softmaxHessianTimes(p, dy, batch, out)) return out;
                INDArray pdy = p.mul(dy);
                INDArray s = pdy.sum(1);
                return pdy.subi(p.mulColumnVector(s)).divi(batch);
            }
        };
    }
}
