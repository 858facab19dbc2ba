package org.tuneless.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.Workspaces;

/**
 * Multi-head causal self-attention on sequences (T, D), as in nanoGPT / the optax nanoLM example:
 * [Q|K|V] = x·Wqkv + bqkv, split into {@code heads} heads of width d = D/heads (columns h·d … h·d+d−1 of each block),
 * S = Q·Kᵀ/√d with positions j &gt; i masked out, A = softmax(S) over the keys, O = A·V, heads merged back to (T, D),
 * y = O·Wo + bo. Parameters: {@code Wqkv} (D, 3D), optional {@code bqkv} (3D), {@code Wo} (D, D), optional {@code bo} (D).
 *
 * <p>All products are bilinear, so the tangent, R-op and second tangent apply the product rule to each of them with
 * the same batched (rank-4) matmul kernels; the softmax contributes its JVP Ȧ = A⊙(Ṡ − ⟨Ṡ, A⟩), its VJP
 * gS = A⊙(gA − ⟨gA, A⟩) and their derivatives (⟨·,·⟩ is the row sum over keys, kept as a (…, T, 1) column).
 *
 * <p>Internal layout: heads as (batch, heads, T, d) C-order; Q, K, V (and their tangents and gradients) share one
 * (3, batch, heads, T, d) array so that splitting and merging are one permute + copy each.
 */
public final class CausalSelfAttention extends Layer {

    /** Added to masked scores before the softmax; exp underflows to exactly 0 in float32 and float64. */
    private static final double MASKED = -1e30;

    private final int heads;
    private final boolean bias;
    private final Init init;

    // cached by forward
    private INDArray x2;     // input as (B·T, D)
    private INDArray qkv;    // (3, B, h, T, d): Q, K, V
    private INDArray attn;   // A = softmax(S), (B, h, T, T)
    private INDArray oHeads; // O = A·V in heads layout, (B, h, T, d)
    private INDArray om;     // O merged, (B·T, D)
    private long batch, steps, width;
    // cached by jvp
    private INDArray dx2;    // ẋ as (B·T, D), or null
    private INDArray dqkv;   // (3, B, h, T, d): Q̇, K̇, V̇
    private INDArray dAttn;  // Ȧ
    private INDArray dOHeads; // Ȯ in heads layout
    private INDArray dom;    // Ȯ merged, (B·T, D)
    // detached causal mask (T, T): 0 on and below the diagonal, MASKED above
    private INDArray mask;

    private final boolean causal;

    public CausalSelfAttention(int heads, boolean bias, Init init) { this(heads, bias, init, true); }

    /**
     * With {@code causal = false} no position is masked (bidirectional attention, as in ViT); the derivatives are the
     * same formulas, since masked scores only enter through A = 0.
     */
    public CausalSelfAttention(int heads, boolean bias, Init init, boolean causal) {
        if (heads <= 0) throw new IllegalArgumentException("attention: heads = " + heads + " must be positive");
        this.heads = heads;
        this.bias = bias;
        this.init = init;
        this.causal = causal;
    }

    public int heads() { return heads; }

    public boolean hasBias() { return bias; }

    @Override public String kind() { return "attention"; }

    @Override public Layer freshCopy() { return new CausalSelfAttention(heads, bias, init, causal); }

    private void requireShape(long[] in) {
        if (in.length != 2) {
            throw new IllegalArgumentException("attention needs inputs (T, D) (sequence length, model width) but got "
                    + Arrays.toString(in) + "; embed tokens to (T, D) before it");
        }
        if (in[1] % heads != 0) {
            throw new IllegalArgumentException("attention: model width D = " + in[1] + " is not divisible by heads = "
                    + heads + "; choose a number of heads that divides D");
        }
    }

    @Override public List<ParamSpec> parameters(long[] in) {
        requireShape(in);
        long d = in[1];
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(new ParamSpec("Wqkv", new long[]{d, 3 * d}, ParamRole.WEIGHT, d, 3 * d, init));
        if (bias) specs.add(new ParamSpec("bqkv", new long[]{3 * d}, ParamRole.BIAS, d, 3 * d, Init.ZEROS));
        specs.add(new ParamSpec("Wo", new long[]{d, d}, ParamRole.WEIGHT, d, d, init));
        if (bias) specs.add(new ParamSpec("bo", new long[]{d}, ParamRole.BIAS, d, d, Init.ZEROS));
        return specs;
    }

    @Override public long[] outputShape(long[] in) {
        requireShape(in);
        return in.clone();
    }

    private int wo() { return bias ? 2 : 1; }

    private int bo() { return 3; }

    // ---------------------------------------------------------------- layout helpers

    private INDArray rows(INDArray a) { return a.reshape('c', batch * steps, width); }

    /** (B·T, 3D) → (3, B, h, T, d), contiguous. */
    private INDArray splitQkv(INDArray m) {
        return m.reshape('c', batch, steps, 3, heads, width / heads).permute(2, 0, 3, 1, 4).dup('c');
    }

    /** (B·T, D) → (B, h, T, d), contiguous. */
    private INDArray splitHeads(INDArray m) {
        return m.reshape('c', batch, steps, heads, width / heads).permute(0, 2, 1, 3).dup('c');
    }

    /** (B, h, T, d) → (B·T, D), contiguous. */
    private INDArray mergeHeads(INDArray o) {
        return o.permute(0, 2, 1, 3).dup('c').reshape('c', batch * steps, width);
    }

    /** (3, B, h, T, d) → (B·T, 3D), contiguous. */
    private INDArray mergeQkv(INDArray g) {
        return g.permute(1, 3, 0, 2, 4).dup('c').reshape('c', batch * steps, 3 * width);
    }

    private INDArray newHeads3(DataType type) {
        return Nd4j.createUninitialized(type, 3, batch, heads, steps, width / heads);
    }

    /** out = alpha·op(a)·op(b) + beta·out, batched over the leading dimensions (libnd4j "matmul"). */
    private static INDArray mm(INDArray a, INDArray b, INDArray out, boolean ta, boolean tb, double alpha, double beta) {
        Nd4j.exec(new Mmul(a, b, out, alpha, beta, MMulTranspose.builder().transposeA(ta).transposeB(tb).build()));
        return out;
    }

    /** New array alpha·op(a)·op(b), batched; a and b of shape (…, m, k) / (…, k, n) before transposition. */
    private static INDArray mm(INDArray a, INDArray b, boolean ta, boolean tb, double alpha) {
        long[] sa = a.shape(), sb = b.shape();
        int r = sa.length;
        long[] shape = sa.clone();
        shape[r - 2] = ta ? sa[r - 1] : sa[r - 2];
        shape[r - 1] = tb ? sb[r - 2] : sb[r - 1];
        return mm(a, b, Nd4j.createUninitialized(a.dataType(), shape), ta, tb, alpha, 0.0);
    }

    /** New C-order matrix op(a)·op(b) (ND4J's own gemm allocates in F order, which would force copies on reshape). */
    private static INDArray gemm(INDArray a, INDArray b, boolean ta, boolean tb) { return MatMul.product(a, b, ta, tb); }

    /** Row sums over the key axis, as a (…, T, 1) column for broadcasting. */
    private static final int[] ROWS = {0};

    private static INDArray rowSum(INDArray a) { return a.sum(true, a.rank() - 1); }

    private INDArray causalMask(DataType type) {
        if (mask == null || mask.size(0) != steps || mask.dataType() != type) {
            try (MemoryWorkspace ignored = Workspaces.detached()) {  // built once per sequence length, outside the pass
                double[][] m = new double[(int) steps][(int) steps];
                for (int i = 0; i < steps; i++) for (int j = i + 1; j < steps; j++) m[i][j] = MASKED;
                mask = Nd4j.createFromArray(m).castTo(type);
            }
        }
        return mask;
    }

    // ---------------------------------------------------------------- the five passes

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("attention needs a batch of sequences (batch, T, D) but got shape "
                    + Arrays.toString(x.shape()));
        }
        batch = x.size(0);
        steps = x.size(1);
        width = x.size(2);
        if (theta[0].size(0) != width) {
            throw new IllegalArgumentException("attention was built for width D = " + theta[0].size(0)
                    + " but got inputs of width " + width);
        }
        double scale = 1.0 / Math.sqrt((double) width / heads);
        x2 = rows(x);
        INDArray q = Nd4j.createUninitialized(x.dataType(), batch * steps, 3 * width);
        Nd4j.gemm(x2, theta[0], q, false, false, 1.0, 0.0);
        if (bias) q.addiRowVector(theta[1]);
        qkv = splitQkv(q);
        INDArray s = mm(qkv.slice(0), qkv.slice(1), false, true, scale);  // S = Q·Kᵀ/√d
        if (causal) s.addi(causalMask(x.dataType()));
        attn = Nd4j.exec(new SoftMax(s, s, 3))[0];  // in place, along the key axis
        oHeads = mm(attn, qkv.slice(2), false, false, 1.0);
        om = mergeHeads(oHeads);
        INDArray y = Nd4j.createUninitialized(x.dataType(), batch * steps, width);
        Nd4j.gemm(om, theta[wo()], y, false, false, 1.0, 0.0);
        if (bias) y.addiRowVector(theta[bo()]);
        return y.reshape('c', batch, steps, width);
    }

    /** gQ, gK, gV in one (3, B, h, T, d) array, given gO (heads layout) and gS; the R-op reuses it. */
    private INDArray qkvGradient(INDArray gO, INDArray gS, double scale) {
        INDArray g = newHeads3(gO.dataType());
        mm(gS, qkv.slice(1), g.slice(0), false, false, scale, 0.0);  // gQ = gS·K/√d
        mm(gS, qkv.slice(0), g.slice(1), true, false, scale, 0.0);   // gK = gSᵀ·Q/√d
        mm(attn, gO, g.slice(2), true, false, 1.0, 0.0);             // gV = Aᵀ·gO
        return g;
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        if (grads == null && !needInputGrad) return null;
        double scale = 1.0 / Math.sqrt((double) width / heads);
        INDArray gy2 = rows(gy);
        if (grads != null) {
            Nd4j.gemm(om, gy2, grads[wo()], true, false, 1.0, 0.0);
            if (bias) grads[bo()].assign(Sums.sum(gy2, ROWS).reshape(-1));
        }
        INDArray gO = splitHeads(gemm(gy2, theta[wo()], false, true));
        INDArray gS = mm(gO, qkv.slice(2), false, true, 1.0);  // gA = gO·Vᵀ
        // softmax VJP A⊙(gA − ⟨gA, A⟩), with ⟨gA, A⟩ = ⟨gO, O⟩ (FlashAttention, Dao et al. 2022, eq. of D_i): (T, d) not (T, T)
        gS.subi(rowSum(gO.mul(oHeads))).muli(attn);
        INDArray gqkv = mergeQkv(qkvGradient(gO, gS, scale));
        if (grads != null) {
            Nd4j.gemm(x2, gqkv, grads[0], true, false, 1.0, 0.0);
            if (bias) grads[1].assign(Sums.sum(gqkv, ROWS).reshape(-1));
        }
        if (!needInputGrad) return null;
        return gemm(gqkv, theta[0], false, true).reshape('c', batch, steps, width);
    }

    /** Tangent of [Q|K|V] in heads layout: ẋ·Wqkv + x·V_Wqkv (+ v_b). */
    private INDArray qkvTangent(INDArray dx2, INDArray[] theta, INDArray[] v) {
        INDArray dq = gemm(x2, v[0], false, false);
        if (dx2 != null) Nd4j.gemm(dx2, theta[0], dq, false, false, 1.0, 1.0);
        if (bias) dq.addiRowVector(v[1]);
        return splitQkv(dq);
    }

    /** Ṡ = (Q̇·Kᵀ + Q·K̇ᵀ)/√d. */
    private INDArray scoreTangent(INDArray dH, double scale) {
        INDArray ds = mm(dH.slice(0), qkv.slice(1), false, true, scale);
        return mm(qkv.slice(0), dH.slice(1), ds, false, true, scale, 1.0);
    }

    /** ẏ = Ȯ·Wo + O·V_Wo (+ v_bo), as (B·T, D). */
    private INDArray outputTangent(INDArray dOm, INDArray[] theta, INDArray[] v) {
        INDArray dy = gemm(dOm, theta[wo()], false, false);
        Nd4j.gemm(om, v[wo()], dy, false, false, 1.0, 1.0);
        if (bias) dy.addiRowVector(v[bo()]);
        return dy;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        double scale = 1.0 / Math.sqrt((double) width / heads);
        dx2 = dx == null ? null : rows(dx);
        dqkv = qkvTangent(dx2, theta, v);
        INDArray ds = scoreTangent(dqkv, scale);
        dAttn = ds.subi(rowSum(ds.mul(attn))).muli(attn);  // softmax JVP: A⊙(Ṡ − ⟨Ṡ, A⟩)
        INDArray dO = mm(dAttn, qkv.slice(2), false, false, 1.0);
        mm(attn, dqkv.slice(2), dO, false, false, 1.0, 1.0);  // Ȯ = Ȧ·V + A·V̇
        dOHeads = dO;
        dom = mergeHeads(dO);
        return outputTangent(dom, theta, v).reshape('c', batch, steps, width);
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        double scale = 1.0 / Math.sqrt((double) width / heads);
        INDArray gy2 = rows(gy);
        INDArray rgy2 = rgy == null ? null : rows(rgy);
        // output projection: R{gWo} = Ȯᵀ·gy + Oᵀ·R{gy}; R{gbo} = Σ R{gy}; R{gO} = R{gy}·Woᵀ + gy·V_Woᵀ
        Nd4j.gemm(dom, gy2, hv[wo()], true, false, 1.0, 0.0);
        if (rgy2 != null) Nd4j.gemm(om, rgy2, hv[wo()], true, false, 1.0, 1.0);
        if (bias) {
            if (rgy2 == null) hv[bo()].assign(0);
            else hv[bo()].assign(Sums.sum(rgy2, ROWS).reshape(-1));
        }
        INDArray gO = splitHeads(gemm(gy2, theta[wo()], false, true));
        INDArray rgO2 = gemm(gy2, v[wo()], false, true);
        if (rgy2 != null) Nd4j.gemm(rgy2, theta[wo()], rgO2, false, true, 1.0, 1.0);
        INDArray rgO = splitHeads(rgO2);
        INDArray q = qkv.slice(0), k = qkv.slice(1), val = qkv.slice(2);
        INDArray dq = dqkv.slice(0), dk = dqkv.slice(1), dv = dqkv.slice(2);
        // gA = gO·Vᵀ ; R{gA} = R{gO}·Vᵀ + gO·V̇ᵀ
        INDArray gA = mm(gO, val, false, true, 1.0);
        INDArray rgA = mm(rgO, val, false, true, 1.0);
        mm(gO, dv, rgA, false, true, 1.0, 1.0);
        // softmax VJP gS = A⊙(gA − r), r = ⟨gA, A⟩, and its R-op
        // R{gS} = Ȧ⊙(gA − r) + A⊙(R{gA} − R{r}); as in backward r = ⟨gO, O⟩, so R{r} = ⟨R{gO}, O⟩ + ⟨gO, Ȯ⟩
        INDArray rr = rowSum(rgO.mul(oHeads)).addi(rowSum(gO.mul(dOHeads)));
        gA.subi(rowSum(gO.mul(oHeads)));                             // gA − r
        INDArray rgS = rgA.subi(rr).muli(attn).addi(dAttn.mul(gA));
        INDArray gS = gA.muli(attn);
        INDArray g = qkvGradient(gO, gS, scale);
        // R{gQ} = (R{gS}·K + gS·K̇)/√d ; R{gK} = (R{gS}ᵀ·Q + gSᵀ·Q̇)/√d ; R{gV} = Ȧᵀ·gO + Aᵀ·R{gO}
        INDArray rg = newHeads3(gy.dataType());
        mm(rgS, k, rg.slice(0), false, false, scale, 0.0);
        mm(gS, dk, rg.slice(0), false, false, scale, 1.0);
        mm(rgS, q, rg.slice(1), true, false, scale, 0.0);
        mm(gS, dq, rg.slice(1), true, false, scale, 1.0);
        mm(dAttn, gO, rg.slice(2), true, false, 1.0, 0.0);
        mm(attn, rgO, rg.slice(2), true, false, 1.0, 1.0);
        INDArray gqkv = mergeQkv(g), rgqkv = mergeQkv(rg);
        // input projection: R{gWqkv} = xᵀ·R{gqkv} + ẋᵀ·gqkv ; R{gx} = R{gqkv}·Wqkvᵀ + gqkv·V_Wqkvᵀ
        Nd4j.gemm(x2, rgqkv, hv[0], true, false, 1.0, 0.0);
        if (dx2 != null) Nd4j.gemm(dx2, gqkv, hv[0], true, false, 1.0, 1.0);
        if (bias) hv[1].assign(Sums.sum(rgqkv, ROWS).reshape(-1));
        if (!needInputGrad) return null;
        INDArray rgx = gemm(rgqkv, theta[0], false, true);
        Nd4j.gemm(gqkv, v[0], rgx, false, true, 1.0, 1.0);
        return rgx.reshape('c', batch, steps, width);
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        double scale = 1.0 / Math.sqrt((double) width / heads);
        INDArray sdx2 = dx == null ? null : rows(dx);
        INDArray sddx2 = ddx == null ? null : rows(ddx);
        INDArray dH = qkvTangent(sdx2, theta, v);
        // [Q̈|K̈|V̈] = ẍ·Wqkv + 2·ẋ·V_Wqkv (the bias is affine in θ)
        INDArray ddH = null;
        if (sddx2 != null || sdx2 != null) {
            INDArray ddq = Nd4j.createUninitialized(x2.dataType(), batch * steps, 3 * width);
            if (sddx2 != null) Nd4j.gemm(sddx2, theta[0], ddq, false, false, 1.0, 0.0);
            if (sdx2 != null) Nd4j.gemm(sdx2, v[0], ddq, false, false, 2.0, sddx2 != null ? 1.0 : 0.0);
            ddH = splitQkv(ddq);
        }
        INDArray q = qkv.slice(0), k = qkv.slice(1), val = qkv.slice(2);
        INDArray dq = dH.slice(0), dk = dH.slice(1), dv = dH.slice(2);
        // S̈ = (Q̈·Kᵀ + 2·Q̇·K̇ᵀ + Q·K̈ᵀ)/√d
        INDArray dds = mm(dq, dk, false, true, 2.0 * scale);
        if (ddH != null) {
            mm(ddH.slice(0), k, dds, false, true, scale, 1.0);
            mm(q, ddH.slice(1), dds, false, true, scale, 1.0);
        }
        // softmax to second order, with c = Ṡ − ⟨Ṡ, A⟩:  Ȧ = A⊙c ;  Ä = A⊙(S̈ − ⟨S̈, A⟩ − ⟨Ṡ, Ȧ⟩) + Ȧ⊙c
        // (⟨Ṡ, Ȧ⟩ = ⟨c, Ȧ⟩ because the rows of Ȧ sum to zero)
        INDArray c = scoreTangent(dH, scale);
        c.subi(rowSum(c.mul(attn)));
        INDArray dA = c.mul(attn);
        INDArray ddA = dds.subi(rowSum(dds.mul(attn)).addi(rowSum(c.mul(dA)))).muli(attn).addi(c.muli(dA));
        // Ȯ = Ȧ·V + A·V̇ ;  Ö = Ä·V + 2·Ȧ·V̇ + A·V̈
        INDArray dO = mm(dA, val, false, false, 1.0);
        mm(attn, dv, dO, false, false, 1.0, 1.0);
        INDArray ddO = mm(ddA, val, false, false, 1.0);
        mm(dA, dv, ddO, false, false, 2.0, 1.0);
        if (ddH != null) mm(attn, ddH.slice(2), ddO, false, false, 1.0, 1.0);
        INDArray dOm = mergeHeads(dO), ddOm = mergeHeads(ddO);
        INDArray dy = outputTangent(dOm, theta, v);
        // ÿ = Ö·Wo + 2·Ȯ·V_Wo
        INDArray ddy = gemm(ddOm, theta[wo()], false, false);
        Nd4j.gemm(dOm, v[wo()], ddy, false, false, 2.0, 1.0);
        return new INDArray[]{dy.reshape('c', batch, steps, width), ddy.reshape('c', batch, steps, width)};
    }
}
