package org.tuneless.objective;

import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Vectors;

/**
 * f(w) = ½ (w − w*)ᵀ A (w − w*) with A = Q diag(λ) Qᵀ: a quadratic with a chosen spectrum (eigenvalues may be negative).
 * Q is the identity ({@link #diagonal}) or a random orthogonal matrix drawn from a seed ({@link #rotated}).
 * The Hessian is A everywhere, so every curvature estimate has an exact answer.
 */
public final class Quadratic implements Objective {

    private final INDArray a;          // (n, n) Hessian
    private final INDArray minimizer;  // w*
    private final INDArray w;
    private final double[] spectrum;

    private Quadratic(INDArray a, double[] spectrum, INDArray start) {
        this.a = a;
        this.spectrum = spectrum.clone();
        this.minimizer = Nd4j.zeros(start.dataType(), start.length());
        this.w = start.dup().reshape(start.length());
    }

    /** f = ½ Σ λᵢ wᵢ², starting from {@code start}. {@code diagonal(new double[]{1, 10}, 1, 1)} is the test problem of docs/methods.md §0.2. */
    public static Quadratic diagonal(double[] eigenvalues, double... start) {
        INDArray a = Nd4j.diag(Nd4j.createFromArray(eigenvalues));
        return new Quadratic(a, eigenvalues, Nd4j.createFromArray(start));
    }

    /** A = Q diag(λ) Qᵀ with Q a seeded random orthogonal matrix; start at a seeded standard normal point. */
    public static Quadratic rotated(double[] eigenvalues, long seed) {
        int n = eigenvalues.length;
        Random rng = new Random(seed);
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) g[i][j] = rng.nextGaussian();
        INDArray q = orthonormalColumns(Nd4j.createFromArray(g));
        INDArray a = q.mul(Nd4j.createFromArray(eigenvalues).reshape(1, n)).mmul(q.transpose());
        a = a.add(a.transpose()).muli(0.5);
        double[] start = new double[n];
        for (int i = 0; i < n; i++) start[i] = rng.nextGaussian();
        return new Quadratic(a, eigenvalues, Nd4j.createFromArray(start));
    }

    /** Gram–Schmidt (twice) on the columns of m. */
    private static INDArray orthonormalColumns(INDArray m) {
        INDArray q = m.dup();
        long n = q.columns();
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < n; j++) {
                INDArray col = q.getColumn(j);
                for (int k = 0; k < j; k++) {
                    INDArray prev = q.getColumn(k);
                    col.subi(prev.mul(Vectors.dot(prev, col)));
                }
                col.divi(col.norm2Number().doubleValue());
                q.putColumn(j, col);
            }
        }
        return q;
    }

    /** Same problem in another floating-point type (float32 default elsewhere; float64 for validation). */
    public Quadratic as(DataType type) {
        Quadratic copy = new Quadratic(a.castTo(type), spectrum, w.castTo(type));
        copy.minimizer.assign(minimizer);
        return copy;
    }

    /** The eigenvalues the problem was built with. */
    public double[] spectrum() { return spectrum.clone(); }

    /** The dense Hessian A. */
    public INDArray hessian() { return a.dup(); }

    @Override public INDArray parameters() { return w; }

    @Override public double loss() {
        INDArray d = w.sub(minimizer);
        return 0.5 * Vectors.dot(d, a.mmul(d.reshape(d.length(), 1)).reshape(d.length()));
    }

    @Override public double lossAndGradient(INDArray gradientOut) {
        INDArray d = w.sub(minimizer);
        INDArray g = a.mmul(d.reshape(d.length(), 1)).reshape(d.length());
        gradientOut.assign(g);
        return 0.5 * Vectors.dot(d, g);
    }

    @Override public void hvp(INDArray v, INDArray out) {
        out.assign(a.mmul(v.reshape(v.length(), 1)).reshape(v.length()));
    }

    @Override public double curvatureAlong(INDArray u) {
        return Vectors.dot(u, a.mmul(u.reshape(u.length(), 1)).reshape(u.length()));
    }
}
