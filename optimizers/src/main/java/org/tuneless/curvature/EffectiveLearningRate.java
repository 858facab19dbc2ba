package org.tuneless.curvature;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.Vectors;

/**
 * Effective learning rate of scale-invariant parameter groups (Kodryan et al., arXiv 2209.03695; docs/methods.md §5): a group w with
 * f(c·w) = f(w) moves on the sphere as if trained with lr/‖w‖², and the optimizer-agnostic measure is the angular
 * update ‖Δw⊥‖/‖w‖, Δw⊥ being the part of the step orthogonal to w.
 */
public final class EffectiveLearningRate {

    private EffectiveLearningRate() {}

    /** lr/‖w‖², the norm taken before the step. */
    public static double of(double lr, INDArray w) {
        double n = Vectors.norm(w);
        return lr / (n * n);
    }

    /** lr/Σ‖wᵢ‖² over several groups: the ELR the fixed-total-norm protocol controls. */
    public static double total(double lr, List<INDArray> groups) {
        double s = 0;
        for (INDArray w : groups) {
            double n = Vectors.norm(w);
            s += n * n;
        }
        return lr / s;
    }

    /** lr/‖w_c‖² for every output unit c, i.e. every column of a dense weight stored (in, out) (per-channel groups before BatchNorm). */
    public static double[] perOutputUnit(double lr, INDArray weightInOut) {
        INDArray sq = weightInOut.mul(weightInOut).sum(0);
        double[] out = sq.toDoubleVector();
        for (int i = 0; i < out.length; i++) out[i] = lr / out[i];
        return out;
    }

    /** ‖Δw⊥‖/‖w‖ with Δw = after − before and ⊥ taken against the direction of {@code before}. */
    public static double angularUpdate(INDArray before, INDArray after) {
        double n = Vectors.norm(before);
        INDArray dw = after.sub(before);
        double along = Vectors.dot(dw, before) / n;
        double total = Vectors.norm(dw);
        return Math.sqrt(Math.max(0, total * total - along * along)) / n;
    }

    /** The angle ∠(before, after) = atan2(‖Δw⊥‖, ‖w‖ + Δw·ŵ) in radians. */
    public static double angle(INDArray before, INDArray after) {
        double n = Vectors.norm(before);
        INDArray dw = after.sub(before);
        double along = Vectors.dot(dw, before) / n;
        double total = Vectors.norm(dw);
        return Math.atan2(Math.sqrt(Math.max(0, total * total - along * along)), n + along);
    }
}
