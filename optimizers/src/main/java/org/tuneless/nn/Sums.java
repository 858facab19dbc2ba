package org.tuneless.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fast keep-dims sums over a set of axes. ND4J's strided reductions ({@code sum(0, 2, 3)} on NCHW, {@code sum(0)} on
 * rows) run far below memory bandwidth; a GEMM/GEMV with a ones vector gives the same sums (up to float rounding) in
 * one fast pass. Axes are merged into runs of summed and kept axes: (kept, summed) sums rows, (summed, kept) sums
 * columns, (summed, kept, summed) does both (e.g. per channel over (N, H, W)); other layouts fall back to ND4J.
 */
final class Sums {

    private Sums() {}

    /** Σ of {@code t} over {@code dims}, shaped like {@code t} with those axes of size 1. */
    static INDArray sum(INDArray t, int[] dims) {
        int r = t.rank();
        boolean[] summed = new boolean[r];
        for (int d : dims) summed[d] = true;
        long[] keep = t.shape().clone();
        for (int d : dims) keep[d] = 1;
        // runs of consecutive axes of the same kind
        long[] runs = new long[r];
        boolean[] kinds = new boolean[r];
        int n = 0;
        for (int i = 0; i < r; i++) {
            if (n > 0 && kinds[n - 1] == summed[i]) {
                runs[n - 1] *= t.size(i);
            } else {
                runs[n] = t.size(i);
                kinds[n] = summed[i];
                n++;
            }
        }
        INDArray res;
        if (n == 2 && !kinds[0]) {
            res = rowSums(t.reshape('c', runs[0], runs[1]));
        } else if (n == 2) {
            res = columnSums(t.reshape('c', runs[0], runs[1]));
        } else if (n == 3 && kinds[0]) {
            INDArray rows = rowSums(t.reshape('c', runs[0] * runs[1], runs[2]));
            res = columnSums(rows.reshape('c', runs[0], runs[1]));
        } else {
            return t.sum(true, dims);
        }
        return res.reshape('c', keep);
    }

    /** (a, b) → (a, 1) row sums. */
    private static INDArray rowSums(INDArray m) {
        return Nd4j.gemm(m, Nd4j.ones(m.dataType(), m.size(1), 1), false, false);
    }

    /** (a, b) → (1, b) column sums: float32 by the fused kernel (one pass, the rows in order), else a ones-row GEMM. */
    private static INDArray columnSums(INDArray m) {
        INDArray out = Nd4j.createUninitialized(m.dataType(), 1, m.size(1));
        if (org.tuneless.tensor.Kernels.columnSums(m, m.size(0), m.size(1), out)) return out;
        return Nd4j.gemm(Nd4j.ones(m.dataType(), 1, m.size(0)), m, false, false);
    }
}
