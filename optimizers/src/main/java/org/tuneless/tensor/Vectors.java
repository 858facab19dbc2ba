package org.tuneless.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Whole-vector BLAS level-1 operations on flat parameter-shaped vectors (one native call each). */
public final class Vectors {

    private Vectors() {}

    /** xᵀy over all elements (any shapes with the same length and type). */
    public static double dot(INDArray x, INDArray y) {
        return Nd4j.getBlasWrapper().dot(flat(x), flat(y));
    }

    /**
     * ‖x‖₂ as √(xᵀx) by BLAS dot: an order of magnitude faster than ND4J's reduction on large vectors, and a NaN
     * anywhere makes the result NaN (BLAS nrm2's scaling loop can skip NaNs), which the divergence guard relies on.
     */
    public static double norm(INDArray x) {
        INDArray f = flat(x);
        return Math.sqrt(Nd4j.getBlasWrapper().dot(f, f));
    }

    /** y ← y + a·x, in place; returns y. */
    public static INDArray axpy(double a, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length(), a, flat(x), flat(y));
        return y;
    }

    private static INDArray flat(INDArray x) {
        return x.rank() == 1 ? x : x.reshape(x.length());
    }
}
