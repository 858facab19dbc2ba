package org.tuneless.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.objective.Objective;
import org.tuneless.tensor.Vectors;

/**
 * Curvature along an update direction u with gradient g (Roulet et al., arXiv 2407.06183, eq. 2 and 7; docs/methods.md §6.4): uᵀHu, the directional slope −gᵀu, and the
 * quadratic model's edge η_edge = 2·(−gᵀu)/(uᵀHu), the largest step that does not increase the quadratic model (eq. 7).
 */
public record UpdateCurvature(double curvature, double slope, double edge) {

    public static UpdateCurvature of(Objective objective, INDArray gradient, INDArray u) {
        double uhu = objective.curvatureAlong(u);
        double slope = -Vectors.dot(gradient, u);
        return new UpdateCurvature(uhu, slope, 2 * slope / uhu);
    }

    /** cos∠(a, b) (e.g. between an update and the top Hessian eigenvector); NaN if either is zero. */
    public static double cosine(INDArray a, INDArray b) {
        double na = Vectors.norm(a), nb = Vectors.norm(b);
        return na == 0 || nb == 0 ? Double.NaN : Vectors.dot(a, b) / (na * nb);
    }

    /** The angle in radians between two vectors (e.g. successive updates). */
    public static double angle(INDArray a, INDArray b) {
        double c = cosine(a, b);
        return Double.isNaN(c) ? Double.NaN : Math.acos(Math.max(-1, Math.min(1, c)));
    }
}
