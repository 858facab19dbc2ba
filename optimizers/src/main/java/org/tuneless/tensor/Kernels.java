package org.tuneless.tensor;

import java.lang.invoke.MethodHandles;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fused elementwise kernels: one pass over ND4J's off-heap buffers instead of a chain of ND4J ops, each of which reads
 * and writes whole tensors. They run on the JDK's Vector API ({@code jdk.incubator.vector}) when the JVM was started
 * with {@code --add-modules jdk.incubator.vector} (the launcher, the tests, the script runner and the notebook kernel
 * do); otherwise, or with {@code -Dtuneless.kernels=reference}, every caller keeps its reference path of ND4J ops.
 * The choice is made once, when this class is loaded, and reported by {@link #describe()} ({@code ./tuneless info}).
 *
 * <p>Kernels apply to float32 tensors laid out contiguously (element-wise stride 1; what the optimizers' state and the
 * network's flat parameter and gradient buffers are). float64 always takes the reference path, so the float64 results
 * the golden and derivative tests rely on are unchanged. Each kernel returns {@code false} when it does not apply, and
 * the caller then runs its reference path. Equality with the reference path is tested in {@code KernelsTest}.
 */
public final class Kernels {

    /** The fused kernels an implementation provides (the Vector API one, {@code VectorKernels}). */
    interface Fused {
        /** See {@link Kernels#adamDirection}. */
        void adamDirection(INDArray g, INDArray w, float l2, INDArray m, INDArray v, INDArray precond, INDArray out,
                           float beta1, float c1, float beta2, float c2, float bc1, float bc2, float eps, float decoupled);

        /** See {@link Kernels#scheduleFreeAdamW}. */
        void scheduleFreeAdamW(INDArray g, INDArray y, INDArray z, INDArray v, float beta2, float c2, float ibc2, float eps,
                               float wd, float c, float alphaY, float alphaZ);

        /** See {@link Kernels#prodigyMoments}; returns {Σ g·(p0 − x), Σ|s|}. */
        double[] prodigyMoments(INDArray grad, INDArray x, float l2, INDArray p0, INDArray m, INDArray v, INDArray s,
                                float beta1, float mCoef, float beta2, float vCoef, float beta3, float sCoef);

        /** See {@link Kernels#prodigyStep}. */
        void prodigyStep(INDArray x, INDArray m, INDArray v, float dEps, float coef, float decay);

        /** See {@link Kernels#normalCdfPdf}. */
        void normalCdfPdf(INDArray x, INDArray cdf, INDArray pdf);

        /** See {@link Kernels#layerNormForward}. */
        void layerNormForward(INDArray x, int rows, int d, INDArray g, INDArray b, float eps, INDArray xhat, INDArray scale, INDArray y);

        /** See {@link Kernels#layerNormBackward}. */
        void layerNormBackward(INDArray gy, INDArray xhat, INDArray scale, int rows, int d, INDArray g, INDArray gradG, INDArray gradB, INDArray gx);

        /** See {@link Kernels#batchNormForward}. */
        void batchNormForward(INDArray x, int n, int c, int hw, INDArray g, INDArray b, float eps, INDArray xhat, INDArray scale,
                              INDArray mean, INDArray var, INDArray y);

        /** See {@link Kernels#batchNormBackward}. */
        void batchNormBackward(INDArray gy, INDArray xhat, INDArray scale, int n, int c, int hw, INDArray g, INDArray gradG, INDArray gradB, INDArray gx);

        /** See {@link Kernels#columnSums}. */
        void columnSums(INDArray g, int rows, int n, INDArray out);

        /** See {@link Kernels#adamStep}. */
        void adamStep(INDArray g, INDArray w, float l2, INDArray m, INDArray v, INDArray precond, float lr,
                      float beta1, float c1, float beta2, float c2, float bc1, float bc2, float eps, float decoupled);

        /** See {@link Kernels#reluMask}. */
        void reluMask(INDArray x, INDArray v, INDArray out);

        /** See {@link Kernels#softmaxCrossEntropy}; returns Σ_rows [logsumexp(y_r) − t_r·y_r]. */
        double softmaxCrossEntropy(INDArray y, INDArray t, int rows, int k, INDArray p);

        /** See {@link Kernels#softmaxHessianTimes}. */
        void softmaxHessianTimes(INDArray p, INDArray dy, int rows, int k, double divisor, INDArray out);

        /** See {@link Kernels#differenceOver}. */
        void differenceOver(INDArray a, INDArray b, float divisor, INDArray out);

        /** See {@link Kernels#eccoPrecondition}; returns ‖v_prev − v‖_∞. */
        float eccoPrecondition(INDArray g, INDArray gPrev, INDArray vPrev, INDArray v, float dtPrev);

        /** See {@link Kernels#minFiniteRatio}. */
        float minFiniteRatio(INDArray num, INDArray den);

        String describe();
    }

    private static final Fused FUSED = load();
    private static final String WHY_NOT;

    static {
        String mode = System.getProperty("tuneless.kernels", "auto");
        if (FUSED != null) WHY_NOT = null;
        else if (mode.equals("reference")) WHY_NOT = "-Dtuneless.kernels=reference";
        else if (!cpuBackend()) WHY_NOT = "the ND4J backend keeps tensors on a device (" + Nd4j.getBackend().getClass().getSimpleName() + "), not in host memory";
        else WHY_NOT = "the JVM was started without --add-modules jdk.incubator.vector";
    }

    private Kernels() {}

    private static Fused load() {
        String mode = System.getProperty("tuneless.kernels", "auto");
        if (!mode.equals("auto") && !mode.equals("vector") && !mode.equals("reference")) {
            throw new IllegalArgumentException("-Dtuneless.kernels=" + mode + ": valid values are auto, vector, reference");
        }
        // the kernels read and write host memory: on ND4J's CUDA backend that is a stale copy of the device buffer
        if (mode.equals("reference") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() || !cpuBackend()) {
            if (mode.equals("vector")) {
                throw new IllegalStateException("-Dtuneless.kernels=vector, but " + (cpuBackend()
                        ? "the JVM was started without --add-modules jdk.incubator.vector" : "the ND4J backend is not the CPU one"));
            }
            return null;
        }
        try {
            // by name: this class must load (and fall back) on JVMs where the Vector API classes are absent
            Class<?> c = Class.forName(Kernels.class.getPackageName() + ".VectorKernels");
            return (Fused) MethodHandles.lookup().findConstructor(c, java.lang.invoke.MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            if (mode.equals("vector")) throw new IllegalStateException("-Dtuneless.kernels=vector: the Vector API kernels did not load: " + e, e);
            return null;
        }
    }

    private static boolean cpuBackend() {
        return Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("cpu");
    }

    /** True when the fused kernels are in use. */
    public static boolean fused() { return FUSED != null; }

    private static final ThreadLocal<Boolean> REFERENCE_ONLY = ThreadLocal.withInitial(() -> false);

    /**
     * Runs {@code body} with the fused kernels off in this thread (every caller takes its ND4J-op path): for comparing
     * the two paths in one JVM (tests, benchmarks).
     */
    public static <T> T referenceOnly(java.util.function.Supplier<T> body) {
        boolean was = REFERENCE_ONLY.get();
        REFERENCE_ONLY.set(true);
        try {
            return body.get();
        } finally {
            REFERENCE_ONLY.set(was);
        }
    }

    private static boolean on() { return FUSED != null && !REFERENCE_ONLY.get(); }

    /** What runs elementwise updates, for {@code ./tuneless info} and run logs. */
    public static String describe() {
        return FUSED != null ? FUSED.describe() : "reference ND4J ops (fused kernels off: " + WHY_NOT + ")";
    }

    /**
     * One pass of Adam's moment update and direction (Kingma & Ba 2015, Alg. 1; torch.optim.Adam semantics), per
     * element: d = g + l2·w; m ← β₁m + (1−β₁)d; v ← β₂v + (1−β₂)d²; P = √(v/bc2) + ε; out = m/P/(−bc1) − decoupled·w.
     * The float32 operations and their order are those of the reference path in {@code optim.Adam}, with a fused
     * multiply-add where that path calls BLAS axpy (y + a·x), so results agree with it to rounding. Returns false (and
     * touches nothing) unless the fused kernels are on and every tensor is float32, contiguous and of one length.
     */
    public static boolean adamDirection(INDArray g, INDArray w, double l2, INDArray m, INDArray v, INDArray precond, INDArray out,
                                        double beta1, double beta2, double bc1, double bc2, double eps, double decoupled) {
        if (!on() || !contiguousFloats(g, w, m, v, precond, out)) return false;
        FUSED.adamDirection(g, w, (float) l2, m, v, precond, out, (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) bc1, (float) bc2, (float) eps, (float) decoupled);
        return true;
    }

    /**
     * {@link #adamDirection} and the step w ← w + lr·u in the same pass, u never stored: w is read once and written once
     * instead of the direction being written, read back and added by a separate axpy (three more passes over
     * parameter-sized vectors; the update is memory-bound, so this is ≈ 20% of it). The step is fma(lr, u, w), the value
     * a fused axpy gives. Same conditions as {@link #adamDirection}.
     */
    public static boolean adamStep(INDArray g, INDArray w, double l2, INDArray m, INDArray v, INDArray precond, double lr,
                                   double beta1, double beta2, double bc1, double bc2, double eps, double decoupled) {
        if (!on() || !contiguousFloats(g, w, m, v, precond)) return false;
        FUSED.adamStep(g, w, (float) l2, m, v, precond, (float) lr, (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                (float) bc1, (float) bc2, (float) eps, (float) decoupled);
        return true;
    }

    /**
     * ReLU's derivative applied to v in one pass: out = step(x)·v with step(x) = 1 for x &gt; 0, else 0 (the multiply
     * is kept, so a NaN or ±∞ in v gives NaN where x ≤ 0, exactly as the two ND4J ops {@code step(x).muli(v)} do): the
     * backward pass, the tangent and the R-ops of {@code nn.Relu}. Returns false (touching nothing) unless the kernels
     * are on and the three are float32, contiguous and of one length and order; {@code out} may be {@code v}.
     */
    public static boolean reluMask(INDArray x, INDArray v, INDArray out) {
        if (!on() || !contiguousFloats(x, v, out)) return false;
        FUSED.reluMask(x, v, out);
        return true;
    }

    /**
     * Rows {@code indices} of {@code src} (rows × per, row-major) copied into the rows of {@code dst} (indices.length ×
     * per): one bulk copy of each row's bytes (a minibatch gathered from its dataset; ND4J's {@code pullRows} spent
     * ≈ 0.1 ms per call building shape descriptors for a 128 × 784 float batch). Any data type, same in both. Returns
     * false (touching nothing) unless the kernels are on and both arrays are contiguous and row-major.
     */
    public static boolean gatherRows(INDArray src, int[] indices, INDArray dst) {
        if (!on() || src.dataType() != dst.dataType() || src.rank() != 2 || dst.rank() != 2 || src.size(1) != dst.size(1)
                || dst.size(0) != indices.length || !rowMajorDense(src) || !rowMajorDense(dst)) return false;
        long width = src.dataType().width(), rowBytes = src.size(1) * width;
        if ((src.length() + src.offset()) * width > Integer.MAX_VALUE || (dst.length() + dst.offset()) * width > Integer.MAX_VALUE) return false;
        java.nio.ByteBuffer from = src.data().asNio(), to = dst.data().asNio();
        int rows = (int) src.size(0), row = (int) rowBytes, fromBase = (int) (src.offset() * width), toBase = (int) (dst.offset() * width);
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            if (i < 0 || i >= rows) throw new IndexOutOfBoundsException("row " + i + " of " + rows);
            to.put(toBase + r * row, from, fromBase + i * row, row);
        }
        return true;
    }

    /**
     * Every row of {@code dst} (rows × n, row-major) set to the vector {@code row} (n): one bulk copy per row, so that a
     * dense layer can start its output from the bias and let the GEMM add x·W into it (β = 1) instead of a separate
     * broadcast add over the output. Any data type, same in both. Returns false (touching nothing) unless the kernels
     * are on and both arrays are contiguous (dst row-major).
     */
    public static boolean fillRows(INDArray row, INDArray dst) {
        if (dst.rank() != 2 || row.length() != dst.size(1) || row.length() > 1 && row.elementWiseStride() != 1) return false;
        return gatherRows(row.reshape('c', 1, row.length()), new int[(int) dst.size(0)], dst);  // row 0, every time
    }

    private static boolean rowMajorDense(INDArray a) {
        return a.ordering() == 'c' && (a.length() == 1 || a.elementWiseStride() == 1);
    }

    /**
     * Column sums of a {@code rows × n} row-major matrix {@code g} into {@code out} (n): a dense layer's bias gradient
     * Σ_rows ∂L/∂y. Each column is summed over the rows in order, in float lanes of n consecutive columns (one pass over
     * g, no ones-vector GEMM and no temporary). Returns false (touching nothing) unless the kernels are on, g is float32
     * and contiguous in row-major order, and out is a contiguous float32 vector of n.
     */
    public static boolean columnSums(INDArray g, long rows, long n, INDArray out) {
        if (!on() || rows * n != g.length() || !contiguousFloats(g) || g.rank() > 1 && g.ordering() != 'c'
                || !contiguousFloats(out) || out.length() != n) return false;
        FUSED.columnSums(g, (int) rows, (int) n, out);
        return true;
    }

    /**
     * One pass of Schedule-Free AdamW's fast form (Defazio et al., arXiv 2405.15682, Alg. 1; the official
     * {@code AdamWScheduleFree}), per element: v ← β₂v + (1−β₂)g²; ĝ = g/(√(v/bc2) + ε) + wd·y; y ← y + c·(z − y) +
     * alphaY·ĝ; z ← z + alphaZ·ĝ (alphaY = lr·(β(1−c) − 1), alphaZ = −lr). The same values as the op-by-op path in
     * {@code optim.ScheduleFree} to rounding (fused multiply-adds; y + c·(z − y) in one form for every c). Returns false
     * (and touches nothing) unless the fused kernels are on and every tensor is float32, contiguous and of one length.
     */
    public static boolean scheduleFreeAdamW(INDArray g, INDArray y, INDArray z, INDArray v, double beta2, double bc2, double eps,
                                            double wd, double c, double alphaY, double alphaZ) {
        if (!on() || !contiguousFloats(g, y, z, v)) return false;
        FUSED.scheduleFreeAdamW(g, y, z, v, (float) beta2, (float) (1 - beta2), (float) (1 / bc2), (float) eps, (float) wd, (float) c,
                (float) alphaY, (float) alphaZ);
        return true;
    }

    /** True when the fused kernels are on and apply to these tensors (float32, contiguous, one length). */
    public static boolean appliesTo(INDArray... xs) { return on() && contiguousFloats(xs); }

    /**
     * Prodigy's moment pass (Mishchenko &amp; Defazio, arXiv 2306.06101, Alg. 3; the official {@code prodigyopt} 1.1), per
     * element with g = grad + l2·x: m ← β₁m + mCoef·g; v ← β₂v + vCoef·g²; s ← β₃s + sCoef·g; and the two sums the
     * step size needs, Σ g·(p0 − x) and Σ|s| (new s), accumulated in float lanes per block of 1,024 and in double across
     * blocks. Call only when {@link #appliesTo} holds for grad, x, p0, m, v, s.
     */
    public static double[] prodigyMoments(INDArray grad, INDArray x, double l2, INDArray p0, INDArray m, INDArray v, INDArray s,
                                          double beta1, double mCoef, double beta2, double vCoef, double beta3, double sCoef) {
        if (!appliesTo(grad, x, p0, m, v, s)) throw new IllegalStateException("prodigyMoments: the fused kernels do not apply to these tensors");
        return FUSED.prodigyMoments(grad, x, (float) l2, p0, m, v, s, (float) beta1, (float) mCoef, (float) beta2, (float) vCoef,
                (float) beta3, (float) sCoef);
    }

    /** Prodigy's step: x ← x + decay·x, then x ← x + coef·m/(√v + dEps). Call only when {@link #appliesTo} holds. */
    public static void prodigyStep(INDArray x, INDArray m, INDArray v, double dEps, double coef, double decay) {
        if (!appliesTo(x, m, v)) throw new IllegalStateException("prodigyStep: the fused kernels do not apply to these tensors");
        FUSED.prodigyStep(x, m, v, (float) dEps, (float) coef, (float) decay);
    }

    /**
     * Φ(x) and φ(x), the standard normal distribution function and density, in one pass (what exact GELU needs,
     * {@code nn.Gelu}), correctly rounded to float32 but for a ~1e-9 relative error: evaluated in float64 lanes, Φ from
     * erfc(a) = exp(−a²)·t·R(t), t = 1/(1 + a/2) (the variable of Press et al.'s {@code erfcc}, Numerical Recipes 2nd
     * ed. §6.2), R a degree-14 polynomial fitted by {@code optimizers/tools/fit_erfc.py} (relative error 2.1e-10), and
     * φ = exp(−x²/2)/√(2π) from the same exp. Returns false (and touches nothing) unless the fused kernels are on and all
     * three are float32, contiguous and of one length. {@code KernelsTest} bounds the error (½ ulp + 0.01).
     */
    public static boolean normalCdfPdf(INDArray x, INDArray cdf, INDArray pdf) {
        if (!on() || !contiguousFloats(x, cdf, pdf)) return false;
        FUSED.normalCdfPdf(x, cdf, pdf);
        return true;
    }

    /**
     * Layer normalization over the last axis (Ba et al., arXiv 1607.06450) of x seen as {@code rows × d}: per row
     * μ, σ² (biased, two passes), s = 1/√(σ² + ε), x̂ = (x − μ)·s, y = g ⊙ x̂ + b — the arrays {@code nn.LayerNorm}
     * keeps for its backward and R-ops (x̂, s per row) plus the output, the row in cache between its passes instead of
     * eight whole-tensor ND4J ops. Returns false (touching nothing) unless the kernels are on and every array is float32
     * and contiguous (x, x̂, y: rows·d; s: rows; g, b: d).
     */
    public static boolean layerNormForward(INDArray x, long rows, long d, INDArray g, INDArray b, double eps, INDArray xhat, INDArray scale, INDArray y) {
        if (!on() || rows * d != x.length() || !contiguousFloats(x, xhat, y) || !contiguousFloats(g, b) || g.length() != d
                || !contiguousFloats(scale) || scale.length() != rows) return false;
        FUSED.layerNormForward(x, (int) rows, (int) d, g, b, (float) eps, xhat, scale, y);
        return true;
    }

    /**
     * Its backward: gradG = Σ_rows gy ⊙ x̂, gradB = Σ_rows gy (either may be null: not wanted), and with u = g ⊙ gy,
     * gx = s·(u − mean(u) − x̂·mean(x̂ ⊙ u)) per row (null: not wanted). Returns false (touching nothing) unless the
     * kernels are on and the arrays are float32 and contiguous.
     */
    public static boolean layerNormBackward(INDArray gy, INDArray xhat, INDArray scale, long rows, long d, INDArray g,
                                            INDArray gradG, INDArray gradB, INDArray gx) {
        if (!on() || rows * d != gy.length() || !contiguousFloats(gy, xhat) || !contiguousFloats(scale) || scale.length() != rows
                || !contiguousFloats(g) || g.length() != d) return false;
        if ((gradG == null) != (gradB == null) || gradG != null && !(contiguousFloats(gradG, gradB) && gradG.length() == d)) return false;
        if (gx != null && !contiguousFloats(gx, gy)) return false;
        FUSED.layerNormBackward(gy, xhat, scale, (int) rows, (int) d, g, gradG, gradB, gx);
        return true;
    }

    /**
     * Batch normalization with batch statistics (Ioffe &amp; Szegedy, arXiv 1502.03167) of an NCHW tensor x seen as
     * {@code n × c × hw}: per channel μ and σ² (biased) over its n blocks of hw values, two passes (float lanes per
     * block, float64 across blocks, a fixed summation order), s = 1/√(σ² + ε), then x̂ = (x − μ)·s and y = g ⊙ x̂ + b
     * in one more pass — three reads of x where the ND4J ops take seven whole-tensor passes. Writes x̂, y (n·c·hw) and
     * s, μ, σ² (c each), the arrays {@code nn.BatchNorm} keeps for its backward, R-ops and running statistics. Returns
     * false (touching nothing) unless the kernels are on and every array is float32 and contiguous.
     */
    public static boolean batchNormForward(INDArray x, long n, long c, long hw, INDArray g, INDArray b, double eps, INDArray xhat,
                                           INDArray scale, INDArray mean, INDArray var, INDArray y) {
        if (!on() || n * c * hw != x.length() || !contiguousFloats(x, xhat, y) || !contiguousFloats(g, b) || g.length() != c
                || !contiguousFloats(scale, mean, var) || scale.length() != c) return false;
        FUSED.batchNormForward(x, (int) n, (int) c, (int) hw, g, b, (float) eps, xhat, scale, mean, var, y);
        return true;
    }

    /**
     * Its backward in two passes: per channel Σgy and Σgy⊙x̂ (the bias and gain gradients; either pair may be null: not
     * wanted), then gx = s·g·(gy − Σgy/K − x̂·Σ(gy⊙x̂)/K), K = n·hw (null: not wanted). Returns false (touching nothing)
     * unless the kernels are on and the arrays are float32 and contiguous.
     */
    public static boolean batchNormBackward(INDArray gy, INDArray xhat, INDArray scale, long n, long c, long hw, INDArray g,
                                            INDArray gradG, INDArray gradB, INDArray gx) {
        if (!on() || n * c * hw != gy.length() || !contiguousFloats(gy, xhat) || !contiguousFloats(scale) || scale.length() != c
                || !contiguousFloats(g) || g.length() != c) return false;
        if ((gradG == null) != (gradB == null) || gradG != null && !(contiguousFloats(gradG, gradB) && gradG.length() == c)) return false;
        if (gx != null && !contiguousFloats(gx, gy)) return false;
        FUSED.batchNormBackward(gy, xhat, scale, (int) n, (int) c, (int) hw, g, gradG, gradB, gx);
        return true;
    }

    /**
     * Softmax cross-entropy over the rows of {@code rows × k} logits y with targets t (one-hot or probability rows), in
     * one pass per row instead of ≈ 10 whole-tensor ND4J ops: p = softmax(y) per row, written to {@code p}, and the
     * returned Σ_rows [logsumexp(y_r) − t_r·y_r] (the loss before the batch mean). Evaluated in float64 lanes with the
     * kernels' own exp (the same bits in vector and scalar form): logsumexp = max + log Σ exp(y − max), p = exp(y −
     * max)/Σ rounded once to float32, sums in a fixed order. Returns empty (touching nothing) unless the kernels are on
     * and y, t, p are float32, row-major and contiguous, of one shape.
     */
    public static java.util.OptionalDouble softmaxCrossEntropy(INDArray y, INDArray t, INDArray p) {
        if (!on() || y.rank() != 2 || !contiguousFloats(y, t, p) || !rowMajorDense(y) || !rowMajorDense(t) || !rowMajorDense(p)
                || !java.util.Arrays.equals(y.shape(), t.shape()) || !java.util.Arrays.equals(y.shape(), p.shape())) {
            return java.util.OptionalDouble.empty();
        }
        return java.util.OptionalDouble.of(FUSED.softmaxCrossEntropy(y, t, (int) y.size(0), (int) y.size(1), p));
    }

    /**
     * The softmax cross-entropy's Hessian-vector product with respect to the logits, per row out = p ⊙ (ẏ − pᵀẏ) /
     * divisor (the same as (p ⊙ ẏ − p·(pᵀẏ))/divisor), in float64 and rounded once. Returns false (touching nothing)
     * unless the kernels are on and p, dy, out are float32, row-major and contiguous, of one rank-2 shape.
     */
    public static boolean softmaxHessianTimes(INDArray p, INDArray dy, double divisor, INDArray out) {
        if (!on() || p.rank() != 2 || !contiguousFloats(p, dy, out) || !rowMajorDense(p) || !rowMajorDense(dy) || !rowMajorDense(out)
                || !java.util.Arrays.equals(p.shape(), dy.shape()) || !java.util.Arrays.equals(p.shape(), out.shape())) return false;
        FUSED.softmaxHessianTimes(p, dy, (int) p.size(0), (int) p.size(1), divisor, out);
        return true;
    }

    /**
     * out = (a − b)/divisor in float32 (the same operations as ND4J's {@code a.sub(b).divi(divisor)}, so the same
     * bits), one pass: a loss gradient such as softmax cross-entropy's (p − t)/B. Returns false (touching nothing)
     * unless the kernels are on and the three are float32, contiguous and of one length and order.
     */
    public static boolean differenceOver(INDArray a, INDArray b, double divisor, INDArray out) {
        if (!on() || !contiguousFloats(a, b, out)) return false;
        FUSED.differenceOver(a, b, (float) divisor, out);
        return true;
    }

    /**
     * ECCO-DNN's preconditioned gradient for one tensor (Helbling et al., arXiv 2310.13901; the official
     * {@code ecco_dnn.py}) in one pass: q = (g − g_prev)·g/Δt_prev, Z⁻¹ = √max(q, 1), v = Z⁻¹·g (written to {@code v}),
     * and the LTE estimate's ‖v_prev − v‖_∞ (returned) — the float32 operations of the ND4J-op path in
     * {@code optim.EccoDnn}, in its order, so the same bits (nine whole-tensor ops and a reduction there). Returns
     * empty (touching nothing) unless the kernels are on and the four are float32, contiguous and of one length.
     */
    public static java.util.OptionalDouble eccoPrecondition(INDArray g, INDArray gPrev, INDArray vPrev, INDArray v, double dtPrev) {
        if (!on() || !contiguousFloats(g, gPrev, vPrev, v)) return java.util.OptionalDouble.empty();
        return java.util.OptionalDouble.of(FUSED.eccoPrecondition(g, gPrev, vPrev, v, (float) dtPrev));
    }

    /**
     * min over the elements of num/den (float32 division), ignoring the ratios that are NaN (0/0) or infinite (x/0);
     * +∞ when none is finite: ECCO-DNN's activation limiter's smallest Δa/a. One pass instead of a division, two
     * replacements and a reduction. Returns empty unless the kernels are on and both are float32, contiguous, of one
     * length and order.
     */
    public static java.util.OptionalDouble minFiniteRatio(INDArray num, INDArray den) {
        if (!on() || !contiguousFloats(num, den)) return java.util.OptionalDouble.empty();
        return java.util.OptionalDouble.of(FUSED.minFiniteRatio(num, den));
    }

    /** Float32, element-wise stride 1, one length, one element order (rank ≤ 1 has none): a flat run of floats each. */
    static boolean contiguousFloats(INDArray... xs) {
        long n = xs[0].length();
        char order = 0;
        for (INDArray x : xs) {
            if (x.dataType() != DataType.FLOAT || x.length() != n || n > Integer.MAX_VALUE / 4) return false;
            if (n > 1 && x.elementWiseStride() != 1) return false;
            if (x.rank() > 1) {
                if (order != 0 && x.ordering() != order) return false;
                order = x.ordering();
            }
        }
        return true;
    }
}
