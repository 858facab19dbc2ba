package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.Vectors;

/**
 * Lookahead (Zhang, Lucas, Hinton &amp; Ba, arXiv 1907.08610, Algorithm 1) around any optimizer: the base ("fast")
 * optimizer steps the live parameters θ as it would alone; every k-th step the slow weights φ move a fraction α toward
 * the fast ones and the fast weights are reset to them:
 * <pre>
 *   φ ← φ + α·(θ − φ) ;  θ ← φ          (every k steps; φ₀ = θ₀, the parameters before the first step)
 * </pre>
 * The base's state (e.g. Adam's moments) is kept across synchronizations, as in the authors' PyTorch code (no
 * "pullback" of the momentum). Between synchronizations the live parameters are the fast weights; evaluation uses
 * them (after a synchronization they equal φ).
 *
 * <p>State: child {@code base} (the base's state), tensor {@code slow} (φ), scalar {@code t} (steps taken). Reports the
 * base's learning rate and diagnostics, plus {@code lookahead.sync} (1 on synchronization steps) and
 * {@code lookahead.distance} (‖θ − φ‖ before the synchronization). Capabilities and schedules are the base's.
 */
public final class Lookahead implements Optimizer {

    /** The name of the base optimizer's state inside Lookahead's state. */
    public static final String BASE = "base";

    private final Optimizer base;
    private final int k;
    private final double alpha;

    /** The paper's defaults: k = 5, α = 0.5. */
    public Lookahead(Optimizer base) { this(base, 5, 0.5); }

    public Lookahead(Optimizer base, int k, double alpha) {
        if (base == null) throw new IllegalArgumentException("Lookahead: needs a base optimizer (sgd, adam, …)");
        if (k < 1) throw new IllegalArgumentException("Lookahead: k = " + k + " must be a positive integer (valid: 1, 2, …; typical 5)");
        if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("Lookahead: alpha = " + alpha + " must be in (0, 1] (typical 0.5)");
        this.base = base;
        this.k = k;
        this.alpha = alpha;
    }

    public Optimizer base() { return base; }

    @Override public String name() {
        return "lookahead(" + base.name() + (k != 5 ? ", k=" + k : "") + (alpha != 0.5 ? ", alpha=" + BaseOptimizer.fmt(alpha) : "") + ")";
    }

    @Override public String toString() { return name(); }

    @Override public OptimizerState init(ParameterLayout layout, DataType type) {
        OptimizerState s = new OptimizerState(layout, type);
        s.addChild(BASE, base.init(layout, type));
        s.addTensor("slow");
        s.setScalar("t", 0);
        return s;
    }

    @Override public void prepare(Network network, long seed) { base.prepare(network, seed); }

    @Override public boolean followsSchedule() { return base.followsSchedule(); }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        INDArray x = ctx.parameters(), slow = state.tensor("slow");
        double t = state.scalar("t");
        if (t == 0) slow.assign(x);  // φ₀ = θ₀
        StepResult r = base.step(ctx, state.child(BASE));
        t += 1;
        state.setScalar("t", t);
        Map<String, Double> diag = new LinkedHashMap<>(r.diagnostics());
        double distance = 0;
        boolean sync = t % k == 0;
        if (sync) {
            INDArray diff = state.scratch("diff").assign(x).subi(slow);
            distance = Vectors.norm(diff);
            Vectors.axpy(alpha, diff, slow);  // φ ← φ + α(θ − φ)
            x.assign(slow);                   // θ ← φ
        }
        diag.put(Metrics.LOOKAHEAD_SYNC, sync ? 1.0 : 0.0);
        diag.put(Metrics.LOOKAHEAD_DISTANCE, distance);
        return new StepResult(r.learningRate(), diag);
    }

    /** The slow weights φ (live; do not modify). */
    public INDArray slowWeights(OptimizerState state) { return state.tensor("slow"); }

    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) { return base.capability(type, state.child(BASE)); }
}
