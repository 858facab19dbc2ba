package org.tuneless.nn;

import java.util.SplittableRandom;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight initializers. All draw from a seeded {@link SplittableRandom}, so the same seed gives the same weights on
 * any thread and any backend. Runs once per model, not on a hot path.
 */
public enum Init {
    /** Zeros (biases). */
    ZEROS,
    /** Ones (normalization gains). */
    ONES,
    /** He/Kaiming normal: N(0, 2/fan_in), for ReLU networks. */
    HE,
    /** Glorot/Xavier uniform: U(±√(6/(fan_in+fan_out))). */
    GLOROT,
    /** AGD (arXiv 2304.05187, Alg. 1; docs/methods.md §2.2): uniformly semi-orthogonal, scaled by √(fan_out/fan_in). */
    ORTHOGONAL;

    /** Fills {@code target}, a (fan_in, fan_out) matrix or a bias/gain vector, in place. */
    public void fill(INDArray target, long fanIn, long fanOut, SplittableRandom rng) {
        switch (this) {
            case ZEROS -> target.assign(0);
            case ONES -> target.assign(1);
            case HE -> fillGaussian(target, Math.sqrt(2.0 / fanIn), rng);
            case GLOROT -> {
                double limit = Math.sqrt(6.0 / (fanIn + fanOut));
                double[] values = new double[(int) target.length()];
                for (int i = 0; i < values.length; i++) values[i] = (2 * rng.nextDouble() - 1) * limit;
                target.assign(Nd4j.createFromArray(values).reshape(target.shape()));
            }
            case ORTHOGONAL -> fillOrthogonal(target, Math.sqrt((double) fanOut / fanIn), rng);
        }
    }

    private static void fillGaussian(INDArray target, double std, SplittableRandom rng) {
        double[] values = new double[(int) target.length()];
        java.util.Random gaussian = new java.util.Random(rng.nextLong());
        for (int i = 0; i < values.length; i++) values[i] = gaussian.nextGaussian() * std;
        target.assign(Nd4j.createFromArray(values).reshape(target.shape()));
    }

    /** A semi-orthogonal matrix (QR of a Gaussian matrix, sign-corrected so it is uniformly distributed) times {@code scale}. */
    private static void fillOrthogonal(INDArray target, double scale, SplittableRandom rng) {
        if (target.rank() != 2) {
            target.assign(0);
            return;
        }
        int rows = (int) target.size(0), cols = (int) target.size(1);
        boolean tall = rows >= cols;
        int m = tall ? rows : cols, n = tall ? cols : rows;
        java.util.Random gaussian = new java.util.Random(rng.nextLong());
        double[][] g = new double[m][n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) g[i][j] = gaussian.nextGaussian();
        QRDecomposition qr = new QRDecomposition(new Array2DRowRealMatrix(g, false));
        RealMatrix q = qr.getQ().getSubMatrix(0, m - 1, 0, n - 1);
        RealMatrix r = qr.getR();
        double[][] out = new double[rows][cols];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double v = q.getEntry(i, j) * Math.signum(r.getEntry(j, j) == 0 ? 1 : r.getEntry(j, j)) * scale;
                if (tall) out[i][j] = v; else out[j][i] = v;
            }
        }
        target.assign(Nd4j.createFromArray(out));
    }
}
