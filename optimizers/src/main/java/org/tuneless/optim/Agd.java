package org.tuneless.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.Init;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;

/**
 * Automatic Gradient Descent (Bernstein et al., arXiv 2304.05187, Alg. 1), no hyperparameters. With L weight tensors and
 * s_k = √(d_out/d_in) (conv: √(out/in)/√(k_x k_y), per spatial slice):
 * G = (1/L) Σ_k s_k ‖∇W_k‖_F;  η = ln((1 + √(1 + 4G))/2);  W_k ← W_k − gain·(η/L)·s_k·∇W_k/‖∇W_k‖_F.
 * Biases and normalization gains follow the experimental variant (docs/methods.md §2.4; not covered by arXiv 2304.05187, whose §3.3 disables biases): a 1-D tensor joins the group
 * of the weight before it and moves by −(η/L)·s·∇p/‖∇W‖_F; 1-D tensors before the first weight are left unchanged.
 * {@link #prepare} (called by the trainer) applies the method's orthogonal × s initialization ({@link #initialize}). Diagnostics {@code agd.G}, {@code agd.eta}.
 */
public final class Agd implements Optimizer {

    private final double gain;

    public Agd() { this(1.0); }

    public Agd(double gain) {
        this.gain = Hyperparameters.positive("AGD", "gain", gain);
    }

    @Override public String name() { return gain == 1.0 ? "agd" : "agd(gain=" + BaseOptimizer.fmt(gain) + ")"; }

    /** η(G) = ln((1 + √(1 + 4G))/2), the positive root of e^η(e^η − 1) = G (AGD Alg. 1). */
    public static double learningRate(double g) {
        return Math.log((1 + Math.sqrt(1 + 4 * g)) / 2);
    }

    /** s = √(d_out/d_in), divided by √(k_x k_y) for a 4-D (out, in, k_x, k_y) conv weight. */
    public static double scale(ParameterTensor t) {
        long[] s = t.shape();
        if (s.length == 4) return Math.sqrt((double) s[0] / s[1]) / Math.sqrt((double) s[2] * s[3]);
        return Math.sqrt((double) t.fanOut() / t.fanIn());
    }

    /** Orthogonal × s for every weight matrix (per slice for conv weights), zeros for biases, ones for gains. */
    public static void initialize(Network network, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        INDArray w = network.parameters();
        for (ParameterTensor t : network.layout().tensors()) {
            INDArray view = ParameterLayout.view(w, t);
            switch (t.role()) {
                case WEIGHT -> {
                    if (view.rank() == 4) {
                        for (long i = 0; i < view.size(2); i++) {
                            for (long j = 0; j < view.size(3); j++) {
                                INDArray slice = view.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                                        org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(j));
                                INDArray tmp = slice.dup();
                                Init.ORTHOGONAL.fill(tmp, view.size(1), view.size(0), rng.split());
                                slice.assign(tmp.muli(1 / Math.sqrt((double) view.size(2) * view.size(3))));
                            }
                        }
                    } else {
                        Init.ORTHOGONAL.fill(view, t.fanIn(), t.fanOut(), rng.split());
                    }
                }
                case BIAS -> view.assign(0);
                case GAIN -> view.assign(1);
            }
        }
    }

    private record Group(ParameterTensor weight, List<ParameterTensor> members) {}

    private static List<Group> groups(ParameterLayout layout) {
        List<Group> groups = new ArrayList<>();
        for (ParameterTensor t : layout.tensors()) {
            if (t.role() == ParamRole.WEIGHT && t.shape().length >= 2) groups.add(new Group(t, new ArrayList<>()));
            else if (!groups.isEmpty()) groups.get(groups.size() - 1).members().add(t);
        }
        return groups;
    }

    /** Frobenius norms of the per-(i, j) slices of a 4-D tensor (or the single norm of a matrix). */
    private static double[] sliceNorms(INDArray grad) {
        if (grad.rank() != 4) return new double[]{Vectors.norm(grad)};
        return org.nd4j.linalg.ops.transforms.Transforms.sqrt(grad.mul(grad).sum(0, 1), false).reshape(grad.size(2) * grad.size(3)).toDoubleVector();
    }

    /** AGD keeps nothing between steps: its state is empty. */
    @Override public OptimizerState init(ParameterLayout layout, DataType type) { return new OptimizerState(layout, type); }

    /** AGD's own initialization ({@link #initialize}); deterministic in {@code seed}. */
    @Override public void prepare(Network network, long seed) { initialize(network, seed); }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        List<Group> groups = groups(ctx.layout());
        if (groups.isEmpty()) throw new IllegalArgumentException("AGD needs at least one weight matrix; the parameters are " + ctx.layout().tensors());
        int depth = groups.size();
        INDArray g = ctx.gradient(), w = ctx.parameters();
        double[][] norms = new double[depth][];
        double bigG = 0;
        for (int k = 0; k < depth; k++) {
            ParameterTensor t = groups.get(k).weight();
            norms[k] = sliceNorms(ParameterLayout.view(g, t));
            double s = scale(t);
            for (double n : norms[k]) bigG += s * n;  // G = (1/L) Σ s‖∇W‖ (conv: summed over slices)
        }
        bigG /= depth;
        double eta = learningRate(bigG);
        for (int k = 0; k < depth; k++) {
            Group grp = groups.get(k);
            ParameterTensor t = grp.weight();
            double c = gain * eta / depth * scale(t);
            INDArray gw = ParameterLayout.view(g, t), ww = ParameterLayout.view(w, t);
            double full = Vectors.norm(gw);
            if (gw.rank() == 4) {
                INDArray n = org.nd4j.linalg.ops.transforms.Transforms.sqrt(gw.mul(gw).sum(true, 0, 1), false);
                org.nd4j.linalg.indexing.BooleanIndexing.replaceWhere(n, Double.POSITIVE_INFINITY, org.nd4j.linalg.indexing.conditions.Conditions.equals(0));
                INDArray step = gw.div(n.broadcast(gw.shape())).muli(-c);
                ww.addi(step);
            } else if (full > 0) {
                Vectors.axpy(-c / full, gw, ww);  // per-layer normalized update (zero gradient → no update)
            }
            for (ParameterTensor m : grp.members()) {
                if (full == 0) continue;
                INDArray gm = ParameterLayout.view(g, m);
                Vectors.axpy(-c / full, gm, ParameterLayout.view(w, m));  // agd_prime: 1-D members normalized by ‖∇W‖_F
            }
        }
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put(Metrics.AGD_G, bigG);
        diag.put(Metrics.AGD_ETA, eta);
        return new StepResult(eta, diag);
    }
}
