package org.tuneless.objective;

import java.util.Optional;
import java.util.function.Supplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.Workspaces;

/**
 * A twice-differentiable function of one flat parameter vector: the loss of a network on a batch,
 * or a synthetic test problem. Every method evaluates at the current {@link #parameters()}; moving that
 * vector (in place) moves the point. Only the optimizer's step (through the trainer) moves it for good; everyone else
 * evaluates elsewhere inside {@link #withParameters}. Curvature is exact (no finite differences).
 */
public interface Objective {

    /** The live flat parameter vector. Mutating it in place moves the point where everything is evaluated. */
    INDArray parameters();

    default long dimension() { return parameters().length(); }

    default DataType dataType() { return parameters().dataType(); }

    /** f(w). */
    double loss();

    /** f(w); writes ∇f(w) into {@code gradientOut} (same length and type as the parameters). */
    double lossAndGradient(INDArray gradientOut);

    /** Writes the exact Hessian-vector product H(w)·v into {@code out}. */
    void hvp(INDArray v, INDArray out);

    /**
     * Hessian-vector products at the current parameters for as long as they and the data stay fixed (power iteration,
     * Lanczos, Hutchinson): an objective may do the work that does not depend on v once (a network keeps its forward
     * pass). Close it when done; it must not outlive a change of the parameters. The default calls {@link #hvp} each time.
     */
    default HessianProducts hessianProducts() { return this::hvp; }

    /** Repeated H·v at fixed parameters; see {@link #hessianProducts()}. */
    interface HessianProducts extends AutoCloseable {
        /** Writes H·v into {@code out}. */
        void apply(INDArray v, INDArray out);

        @Override default void close() {}
    }

    /** uᵀH(w)u, the second directional derivative d²/dt² f(w + t u) at t = 0. */
    double curvatureAlong(INDArray u);

    /**
     * Evaluates {@code body} with the parameters moved to {@code point}, then restores the live parameters exactly (bit
     * for bit), also when {@code body} throws. This is the one sanctioned way for anyone but the optimizer's step to
     * evaluate elsewhere (line-search trial points, curvature measured at the previous step's parameters): the live
     * vector is never left moved. {@code point} may be a vector the body itself modifies; it is read once, on entry.
     * Scopes nest. Not thread-safe, like the objective.
     */
    default <T> T withParameters(INDArray point, Supplier<T> body) {
        INDArray w = parameters();
        if (point.length() != w.length()) {
            throw new IllegalArgumentException("point has length " + point.length() + " but the objective has " + w.length() + " parameters");
        }
        if (point == w) return body.get();
        INDArray saved;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            saved = w.dup();
        }
        try {
            w.assign(point);
            return body.get();
        } finally {
            w.assign(saved);
        }
    }

    /** f at another point, leaving the current parameters unchanged ({@link #withParameters}). */
    default double lossAt(INDArray point) {
        return withParameters(point, this::loss);
    }

    /**
     * An optional capability of this objective, e.g. {@link ReluInputs} of a network's loss: ask instead of downcasting
     * to a concrete objective class. By default the objective itself when it implements {@code type}, else empty.
     */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }
}
