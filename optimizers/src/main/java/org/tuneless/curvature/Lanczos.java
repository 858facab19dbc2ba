package org.tuneless.curvature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.math3.linear.EigenDecomposition;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;
import org.tuneless.objective.Objective;
import org.tuneless.tensor.Vectors;

/**
 * The Lanczos method with full re-orthogonalization: m steps build an orthonormal Krylov basis Q and a tridiagonal
 * T = QᵀAQ whose eigenvalues (Ritz values) approximate the extremes of A's spectrum; extreme Ritz values converge
 * first, so the top-k (k ≤ 20) and the most negative eigenvalue come out of one run. Also the engine of
 * {@link SpectralDensity} (stochastic Lanczos quadrature).
 */
public final class Lanczos {

    /** Ritz values in descending order, the matching Ritz vectors (null unless requested), and the HVPs used. */
    public record Result(double[] eigenvalues, List<INDArray> eigenvectors, long hvps) {

        /** The k largest (algebraic) eigenvalues, descending. */
        public double[] top(int k) { return Arrays.copyOf(eigenvalues, Math.min(k, eigenvalues.length)); }

        /** The most negative (smallest algebraic) eigenvalue. */
        public double smallest() { return eigenvalues[eigenvalues.length - 1]; }
    }

    /** The tridiagonal T of a run and the first components of its eigenvectors (for quadrature). */
    record Tridiagonal(double[] alpha, double[] beta) {

        /** Eigenvalues θ (ascending) and squared first components τ² of T's eigenvectors. */
        double[][] nodesAndWeights() {
            int m = alpha.length;
            EigenDecomposition e = new EigenDecomposition(alpha.clone(), Arrays.copyOf(beta, Math.max(0, m - 1)));
            double[] theta = e.getRealEigenvalues();
            double[][] out = new double[2][m];
            Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(theta[a], theta[b]));
            for (int i = 0; i < m; i++) {
                out[0][i] = theta[order[i]];
                double t = e.getEigenvector(order[i]).getEntry(0);
                out[1][i] = t * t;
            }
            return out;
        }
    }

    private Lanczos() {}

    /**
     * Top-k eigenvalues (descending) of the objective's Hessian with {@code steps} Lanczos steps (≥ k; more steps,
     * better accuracy; default 3k + 20 in {@link Curvature}).
     */
    public static Result run(Objective objective, int k, int steps, long seed, boolean vectors) {
        try (HessianOperator h = HessianOperator.fixed(objective)) {
            return run(h, k, steps, seed, vectors);
        }
    }

    public static Result run(LinearOperator op, int k, int steps, long seed, boolean vectors) {
        if (k < 1 || k > 20) throw new IllegalArgumentException("Lanczos: k = " + k + " must be in 1..20");
        int m = (int) Math.min(op.dimension(), Math.max(steps, k));
        long before = op.applications();
        INDArray start = RandomVectors.gaussian(RandomVectors.generator(seed), op.dataType(), op.dimension());
        List<INDArray> basis = new ArrayList<>();
        Tridiagonal t = iterate(op, start, m, basis);
        int size = t.alpha().length;
        EigenDecomposition e = new EigenDecomposition(t.alpha().clone(), Arrays.copyOf(t.beta(), Math.max(0, size - 1)));
        double[] theta = e.getRealEigenvalues();
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(theta[b], theta[a]));
        double[] sorted = new double[size];
        for (int i = 0; i < size; i++) sorted[i] = theta[order[i]];
        List<INDArray> ritz = null;
        if (vectors) {
            ritz = new ArrayList<>();
            List<Integer> wanted = new ArrayList<>();
            for (int i = 0; i < Math.min(k, size); i++) wanted.add(order[i]);
            wanted.add(order[size - 1]);
            for (int idx : wanted) {
                INDArray y;
                try (MemoryWorkspace ignored = Workspaces.detached()) {
                    y = Nd4j.zeros(op.dataType(), op.dimension());
                }
                for (int j = 0; j < size; j++) Vectors.axpy(e.getEigenvector(idx).getEntry(j), basis.get(j), y);
                ritz.add(y.divi(Vectors.norm(y)));
            }
        }
        return new Result(sorted, ritz, op.applications() - before);
    }

    /** m Lanczos steps from {@code start} with full re-orthogonalization; the basis is appended to {@code basis}. */
    static Tridiagonal iterate(LinearOperator op, INDArray start, int m, List<INDArray> basis) {
        long n = op.dimension();
        double[] alpha = new double[m], beta = new double[m];
        INDArray q, w;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            q = start.dup().reshape(n);
            w = Nd4j.zeros(op.dataType(), n);
        }
        q.divi(Vectors.norm(q));
        int size = 0;
        for (int j = 0; j < m; j++) {
            basis.add(q);
            op.apply(q, w);
            alpha[j] = Vectors.dot(q, w);
            size = j + 1;
            // full re-orthogonalization (twice is enough): w ← w − Q(Qᵀw)
            for (int pass = 0; pass < 2; pass++) {
                for (INDArray b : basis) Vectors.axpy(-Vectors.dot(b, w), b, w);
            }
            double nb = Vectors.norm(w);
            beta[j] = nb;
            if (j == m - 1 || nb <= 1e-10 * Math.max(1, Math.abs(alpha[j]))) break;  // invariant subspace found
            INDArray next;
            try (MemoryWorkspace ignored = Workspaces.detached()) {
                next = w.div(nb);
            }
            q = next;
        }
        return new Tridiagonal(Arrays.copyOf(alpha, size), Arrays.copyOf(beta, size));
    }
}
