package org.tuneless.curvature;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.Workspaces;
import org.tuneless.objective.Objective;
import org.tuneless.tensor.Vectors;

/**
 * The Hessian of an objective as a matrix-free operator, v ↦ H·v by exact HVPs. Which data the Hessian is of is the
 * objective's choice: the current minibatch, a fixed subset (the papers use the first 4,096 training examples), or
 * {@link #average} over chunks of a full dataset.
 */
public final class HessianOperator implements LinearOperator, AutoCloseable {

    private final List<Objective> parts;
    private final double[] weights;
    private final INDArray scratch;
    private final boolean fixed;
    private Objective.HessianProducts products;  // fixed: opened at the first product, closed by close()
    private long count;

    private HessianOperator(List<Objective> parts, double[] weights, boolean fixed) {
        if (parts.isEmpty()) throw new IllegalArgumentException("a Hessian operator needs at least one objective");
        this.parts = List.copyOf(parts);
        this.weights = weights;
        this.fixed = fixed;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            this.scratch = parts.size() > 1 ? Nd4j.zeros(parts.get(0).dataType(), parts.get(0).dimension()) : null;
        }
    }

    /** H of one objective at its current parameters. */
    public static HessianOperator of(Objective objective) { return new HessianOperator(List.of(objective), new double[]{1}, false); }

    /**
     * H of one objective for a computation that holds its parameters and data fixed (a power iteration, Lanczos,
     * Hutchinson): the objective may keep what does not depend on v between products ({@link Objective#hessianProducts};
     * a network keeps its forward pass, so each product costs the R-op passes only). Use it in try-with-resources and do
     * not move the parameters before {@link #close()}.
     */
    public static HessianOperator fixed(Objective objective) { return new HessianOperator(List.of(objective), new double[]{1}, true); }

    /**
     * Σ wᵢ Hᵢ: the Hessian of a weighted mean of objectives, e.g. the full-data Hessian accumulated chunk by chunk with
     * wᵢ = (chunk size)/(total size). The objectives must share one parameter vector.
     */
    public static HessianOperator average(List<? extends Objective> chunks, double[] weights) {
        if (chunks.size() != weights.length) {
            throw new IllegalArgumentException(chunks.size() + " objectives but " + weights.length + " weights");
        }
        return new HessianOperator(List.copyOf(chunks), weights.clone(), false);
    }

    @Override public long dimension() { return parts.get(0).dimension(); }

    @Override public DataType dataType() { return parts.get(0).dataType(); }

    @Override public void apply(INDArray v, INDArray out) {
        count++;
        if (parts.size() == 1) {
            if (fixed) {
                if (products == null) products = parts.get(0).hessianProducts();
                products.apply(v, out);
            } else {
                parts.get(0).hvp(v, out);
            }
            if (weights[0] != 1) out.muli(weights[0]);
            return;
        }
        out.assign(0);
        for (int i = 0; i < parts.size(); i++) {
            parts.get(i).hvp(v, scratch);
            Vectors.axpy(weights[i], scratch, out);
        }
    }

    @Override public long applications() { return count; }

    /** Releases what a {@link #fixed} operator kept between products (nothing for the others). */
    @Override public void close() {
        if (products != null) {
            products.close();
            products = null;
        }
    }

    /**
     * P^{-1/2} A P^{-1/2} for a positive diagonal P (Roulet et al., arXiv 2407.06183, App. B.1; docs/methods.md §6.3): same spectrum as P⁻¹A, whose largest eigenvalue
     * is the preconditioned sharpness that adaptive methods keep near 2/η.
     */
    public static LinearOperator preconditioned(LinearOperator a, INDArray diagonal) {
        if (diagonal.length() != a.dimension()) {
            throw new IllegalArgumentException("preconditioner has " + diagonal.length() + " entries but the operator has dimension " + a.dimension());
        }
        if (diagonal.minNumber().doubleValue() <= 0) {
            throw new IllegalArgumentException("preconditioner must be positive everywhere (min " + diagonal.minNumber() + ")");
        }
        INDArray invSqrt;
        INDArray tmp;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            invSqrt = Transforms.sqrt(diagonal.castTo(a.dataType()).reshape(a.dimension()), true).rdivi(1.0);
            tmp = Nd4j.zeros(a.dataType(), a.dimension());
        }
        return new LinearOperator() {
            private long n;

            @Override public long dimension() { return a.dimension(); }

            @Override public DataType dataType() { return a.dataType(); }

            @Override public void apply(INDArray v, INDArray out) {
                n++;
                tmp.assign(v).muli(invSqrt);
                a.apply(tmp, out);
                out.muli(invSqrt);
            }

            @Override public long applications() { return n; }
        };
    }
}
