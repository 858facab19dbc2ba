package org.tuneless.nn;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.tuneless.tensor.ParamRole;

/**
 * Unrolled LSTM layer (Hochreiter &amp; Schmidhuber 1997, without peepholes) mapping examples of shape (T, D) to the
 * hidden states (T, H) when {@code returnSequences}, else to the last hidden state (H). With gates in the order
 * i, f, g, o along the 4H columns:
 * <pre>
 *   z_t = x_t·Wx + h_{t−1}·Wh + b          (Wx: (D, 4H), Wh: (H, 4H), b: (4H))
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *   c_t = f⊙c_{t−1} + i⊙g,   h_t = o⊙tanh(c_t),   h_0 = c_0 = 0
 * </pre>
 * The bias is initialized to zeros (no forget-gate offset). Backward is BPTT; jvp is the forward tangent recursion;
 * rBackward is the R-op of BPTT (Pearlmutter 1994) using the tangents kept by jvp; secondTangent is the second-order
 * Taylor recursion (σ-nodes: ÿ = σ'·z̈ + σ''·ż²; products: (ab)¨ = äb + 2ȧḃ + ab̈; bilinear xW: ẍW + 2ẋV).
 *
 * <p>Implementation: a Java loop over time steps, whole-batch ND4J ops per step; the input projections x·Wx (and their
 * tangents), the weight gradients and the input gradient are single GEMMs over all (T·N) rows. Internally every
 * sequence tensor is kept time-major, (T, N, ·), so that a step is a contiguous slice.
 */
public final class Lstm extends Layer {

    private final long hidden;
    private final boolean returnSequences;
    private final Init init;

    // forward caches (time-major)
    private int steps;
    private long batch;
    private long inputSize;
    private DataType type;
    private INDArray xs;      // (T·N, D) inputs
    private INDArray acts;    // (T, N, 4H) gate activations [i, f, g, o]
    private INDArray cells;   // (T+1, N, H) c_0 = 0, c_1 … c_T
    private INDArray tanhC;   // (T, N, H) tanh(c_t)
    private INDArray hs;      // (T+1, N, H) h_0 = 0, h_1 … h_T
    private INDArray d1;      // (T, N, 4H) derivative of each gate nonlinearity at z_t

    // tangents kept by jvp for rBackward
    private INDArray dxs;     // (T·N, D) or null
    private INDArray dzs;     // (T, N, 4H)
    private INDArray dcells;  // (T+1, N, H)
    private INDArray dhs;     // (T+1, N, H)

    // BPTT result kept by rBackward, reused by the backward that follows it in an HVP pass
    private INDArray gzCachedFor;
    private INDArray gzCached;

    public Lstm(long hidden, boolean returnSequences, Init init) {
        if (hidden <= 0) throw new IllegalArgumentException("lstm: hidden = " + hidden + " must be positive");
        if (init == null) throw new IllegalArgumentException("lstm: init must not be null");
        this.hidden = hidden;
        this.returnSequences = returnSequences;
        this.init = init;
    }

    public long hidden() { return hidden; }

    public boolean returnSequences() { return returnSequences; }

    @Override public Layer freshCopy() { return new Lstm(hidden, returnSequences, init); }

    @Override public String kind() { return "lstm"; }

    @Override public List<ParamSpec> parameters(long[] in) {
        requireSequence(in);
        long d = in[1], g = 4 * hidden;
        return List.of(
                new ParamSpec("Wx", new long[]{d, g}, ParamRole.WEIGHT, d, g, init),
                new ParamSpec("Wh", new long[]{hidden, g}, ParamRole.WEIGHT, hidden, g, init),
                new ParamSpec("b", new long[]{g}, ParamRole.BIAS, d, g, Init.ZEROS));
    }

    @Override public long[] outputShape(long[] in) {
        requireSequence(in);
        return returnSequences ? new long[]{in[0], hidden} : new long[]{hidden};
    }

    private static void requireSequence(long[] in) {
        if (in.length != 2 || in[0] <= 0 || in[1] <= 0) {
            throw new IllegalArgumentException("lstm needs inputs (time steps, features) but got shape " + Arrays.toString(in)
                    + "; reshape each example to (T, D), e.g. a univariate series of length T to (T, 1)");
        }
    }

    // ---------------------------------------------------------------- layout helpers

    /** Columns [k·H, (k+1)·H) of the last dimension (gate k of i, f, g, o) as a view. */
    private INDArray gate(INDArray a, int k) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        for (int i = 0; i < idx.length - 1; i++) idx[i] = NDArrayIndex.all();
        idx[idx.length - 1] = NDArrayIndex.interval(k * hidden, (k + 1) * hidden);
        return a.get(idx);
    }

    /** (N, T, F) batch-major → (T·N, F) time-major rows, as a new array. */
    private INDArray timeMajorRows(INDArray a) {
        return a.permute(1, 0, 2).dup('c').reshape('c', (long) steps * batch, a.size(2));
    }

    /** (T·N, F) or (T, N, F) time-major → (N, T, F) batch-major, as a new array. */
    private INDArray batchMajor(INDArray a) {
        return a.reshape('c', steps, batch, a.size(a.rank() - 1)).permute(1, 0, 2).dup('c');
    }

    /** Time-major rows (T·N, F) of the first T slices of a (T+1, N, F) state tensor (h_0 … h_{T−1}). */
    private INDArray previousRows(INDArray states) {
        return states.get(NDArrayIndex.interval(0, steps), NDArrayIndex.all(), NDArrayIndex.all())
                .dup('c').reshape('c', (long) steps * batch, states.size(2));
    }

    private INDArray output(INDArray states) {
        if (!returnSequences) return states.slice(steps).dup('c');
        // h_1 … h_T of the (T+1, N, H) state tensor, batch-major
        return batchMajor(states.get(NDArrayIndex.interval(1, steps + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup('c'));
    }

    /** Gradient (or tangent) w.r.t. h_t arriving from the output, as (T, N, H) time-major, or null. */
    private INDArray outputGradientTimeMajor(INDArray gy) {
        if (gy == null) return null;
        if (returnSequences) {
            requireShape(gy, new long[]{batch, steps, hidden}, "output gradient");
            return gy.permute(1, 0, 2).dup('c');
        }
        requireShape(gy, new long[]{batch, hidden}, "output gradient");
        return gy;
    }

    private INDArray outputGradientAt(INDArray g, int t) {
        if (g == null) return null;
        if (returnSequences) return g.slice(t);
        return t == steps - 1 ? g : null;
    }

    private static void requireShape(INDArray a, long[] shape, String what) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("lstm: " + what + " has shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(shape));
        }
    }

    private static INDArray add(INDArray acc, INDArray term) {
        if (term == null) return acc;
        return acc == null ? term : acc.addi(term);
    }

    // ---------------------------------------------------------------- forward

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("lstm needs a batch of sequences (batch, time steps, features) but got shape "
                    + Arrays.toString(x.shape()) + "; reshape each example to (T, D)");
        }
        if (x.size(2) != theta[0].size(0)) {
            throw new IllegalArgumentException("lstm: input has " + x.size(2) + " features per step but Wx expects " + theta[0].size(0));
        }
        if (x.size(1) > Integer.MAX_VALUE) throw new IllegalArgumentException("lstm: too many time steps " + x.size(1));
        steps = (int) x.size(1);
        batch = x.size(0);
        inputSize = x.size(2);
        type = x.dataType();
        dxs = dzs = dcells = dhs = null;
        gzCachedFor = gzCached = null;
        INDArray wh = theta[1];
        long g4 = 4 * hidden;

        xs = timeMajorRows(x);
        INDArray zx = MatMul.product(xs, theta[0]).addiRowVector(theta[2]).reshape('c', steps, batch, g4);
        acts = Nd4j.createUninitialized(type, steps, batch, g4);
        cells = Nd4j.zeros(type, steps + 1, batch, hidden);
        tanhC = Nd4j.createUninitialized(type, steps, batch, hidden);
        hs = Nd4j.zeros(type, steps + 1, batch, hidden);
        for (int t = 0; t < steps; t++) {
            INDArray z = zx.slice(t);
            if (t > 0) z = z.add(MatMul.product(hs.slice(t), wh));  // z_t = x_t·Wx + b + h_{t−1}·Wh
            INDArray a = acts.slice(t);
            a.assign(Transforms.sigmoid(z, true));
            gate(a, 2).assign(Transforms.tanh(gate(z, 2), true));
            INDArray c = cells.slice(t + 1);
            c.assign(gate(a, 0).mul(gate(a, 2)));
            if (t > 0) c.addi(gate(a, 1).mul(cells.slice(t)));
            INDArray tc = tanhC.slice(t);
            tc.assign(Transforms.tanh(c, true));
            hs.slice(t + 1).assign(gate(a, 3).mul(tc));
        }
        // σ' = σ(1−σ) on i, f, o; tanh' = 1 − g² on g
        d1 = acts.rsub(1.0).muli(acts);
        INDArray ag = gate(acts, 2);
        gate(d1, 2).assign(ag.mul(ag).rsubi(1.0));
        return output(hs);
    }

    /** Second derivative of each gate nonlinearity: σ'' = σ'(1−2σ) on i, f, o; tanh'' = −2g·tanh' on g. */
    private INDArray secondDerivatives() {
        INDArray d2 = acts.mul(-2.0).addi(1.0).muli(d1);
        gate(d2, 2).assign(gate(acts, 2).mul(-2.0).muli(gate(d1, 2)));
        return d2;
    }

    private void requireForward() {
        if (acts == null) throw new IllegalStateException("lstm: forward must run before the derivative passes");
    }

    // ---------------------------------------------------------------- BPTT and its R-op

    /**
     * Runs BPTT from the output gradient gy; returns {GZ} (T·N, 4H), the gradients w.r.t. the gate pre-activations.
     * With {@code withR}, also differentiates every step along (ẋ, v) and returns {GZ, R{GZ}}.
     */
    private INDArray[] bptt(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, boolean withR) {
        INDArray wh = theta[1];
        INDArray vh = withR ? v[1] : null;
        INDArray gyT = outputGradientTimeMajor(gy);
        INDArray rgyT = withR ? outputGradientTimeMajor(rgy) : null;
        INDArray d2 = withR ? secondDerivatives() : null;
        INDArray gz = Nd4j.createUninitialized(type, steps, batch, 4 * hidden);
        INDArray rgz = withR ? Nd4j.createUninitialized(type, steps, batch, 4 * hidden) : null;
        INDArray ghRec = null, gcRec = null, rghRec = null, rgcRec = null;  // carried from step t+1
        for (int t = steps - 1; t >= 0; t--) {
            INDArray a = acts.slice(t);
            INDArray i = gate(a, 0), f = gate(a, 1), g = gate(a, 2), o = gate(a, 3);
            INDArray tc = tanhC.slice(t);
            INDArray tcPrime = tc.mul(tc).rsubi(1.0);
            INDArray cPrev = cells.slice(t);

            INDArray gh = outputGradientAt(gyT, t);
            gh = gh == null ? ghRec : ghRec == null ? gh.dup() : ghRec.addi(gh);
            if (gh == null) gh = Nd4j.zeros(type, batch, hidden);
            INDArray gc = gh.mul(o).muli(tcPrime);                   // ∂h/∂c = o⊙tanh'(c)
            if (gcRec != null) gc.addi(gcRec);

            INDArray ga = Nd4j.createUninitialized(type, batch, 4 * hidden);
            gate(ga, 0).assign(gc.mul(g));
            gate(ga, 1).assign(gc.mul(cPrev));
            gate(ga, 2).assign(gc.mul(i));
            gate(ga, 3).assign(gh.mul(tc));
            INDArray gzt = gz.slice(t);
            gzt.assign(ga.mul(d1.slice(t)));

            if (withR) {
                INDArray za = dzs.slice(t);
                INDArray da = za.mul(d1.slice(t));
                INDArray di = gate(da, 0), df = gate(da, 1), dg = gate(da, 2), dO = gate(da, 3);
                INDArray dc = dcells.slice(t + 1), dcPrev = dcells.slice(t);
                INDArray dtcPrime = tc.mul(-2.0).muli(tcPrime).muli(dc);  // R{tanh'(c)} = tanh''(c)·ċ

                INDArray rgyt = outputGradientAt(rgyT, t);
                INDArray rgh = add(rghRec, rgyt == null ? null : rgyt.dup());
                // R{gc} = R{gh}⊙o⊙τ' + gh⊙ȯ⊙τ' + gh⊙o⊙R{τ'} + R{gc_rec}
                INDArray rgc = gh.mul(dO).muli(tcPrime).addi(gh.mul(o).muli(dtcPrime));
                if (rgh != null) rgc.addi(rgh.mul(o).muli(tcPrime));
                rgc = add(rgc, rgcRec);

                INDArray rga = Nd4j.createUninitialized(type, batch, 4 * hidden);
                gate(rga, 0).assign(rgc.mul(g).addi(gc.mul(dg)));
                gate(rga, 1).assign(rgc.mul(cPrev).addi(gc.mul(dcPrev)));
                gate(rga, 2).assign(rgc.mul(i).addi(gc.mul(di)));
                INDArray rgo = gh.mul(tcPrime).muli(dc);                // gh⊙τ'⊙ċ
                if (rgh != null) rgo.addi(rgh.mul(tc));
                gate(rga, 3).assign(rgo);
                INDArray rgzt = rgz.slice(t);
                rgzt.assign(rga.muli(d1.slice(t)).addi(ga.muli(d2.slice(t)).muli(za)));  // R{gz} = R{ga}σ' + ga σ'' ż

                if (t > 0) {
                    rghRec = MatMul.product(rgzt, wh, false, true);
                    Nd4j.gemm(gzt, vh, rghRec, false, true, 1.0, 1.0);
                    rgcRec = rgc.mul(f).addi(gc.mul(df));
                }
            }
            if (t > 0) {
                ghRec = MatMul.product(gzt, wh, false, true);             // ∂z_t/∂h_{t−1} = Whᵀ
                gcRec = gc.mul(f);                                   // ∂c_t/∂c_{t−1} = f
            }
        }
        long rows = (long) steps * batch;
        INDArray gzRows = gz.reshape('c', rows, 4 * hidden);
        return withR ? new INDArray[]{gzRows, rgz.reshape('c', rows, 4 * hidden)} : new INDArray[]{gzRows};
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        requireForward();
        if (grads == null && !needInputGrad) return null;
        INDArray gz = gy == gzCachedFor && gzCached != null ? gzCached : bptt(gy, null, theta, null, false)[0];
        if (grads != null) {
            Nd4j.gemm(xs, gz, grads[0], true, false, 1.0, 0.0);
            Nd4j.gemm(previousRows(hs), gz, grads[1], true, false, 1.0, 0.0);
            grads[2].assign(gz.sum(0));
        }
        if (!needInputGrad) return null;
        return batchMajor(MatMul.product(gz, theta[0], false, true));
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        requireForward();
        if (dzs == null) throw new IllegalStateException("lstm: jvp must run before rBackward in the same pass");
        INDArray[] r = bptt(gy, rgy, theta, v, true);
        INDArray gz = r[0], rgz = r[1];
        gzCachedFor = gy;
        gzCached = gz;
        // R{gWx} = Xᵀ·R{GZ} + Ẋᵀ·GZ ; R{gWh} = H_prevᵀ·R{GZ} + Ḣ_prevᵀ·GZ ; R{gb} = Σ R{GZ}
        Nd4j.gemm(xs, rgz, hv[0], true, false, 1.0, 0.0);
        if (dxs != null) Nd4j.gemm(dxs, gz, hv[0], true, false, 1.0, 1.0);
        Nd4j.gemm(previousRows(hs), rgz, hv[1], true, false, 1.0, 0.0);
        Nd4j.gemm(previousRows(dhs), gz, hv[1], true, false, 1.0, 1.0);
        hv[2].assign(rgz.sum(0));
        if (!needInputGrad) return null;
        // R{gx} = R{GZ}·Wxᵀ + GZ·V_xᵀ
        INDArray rgx = MatMul.product(rgz, theta[0], false, true);
        Nd4j.gemm(gz, v[0], rgx, false, true, 1.0, 1.0);
        return batchMajor(rgx);
    }

    // ---------------------------------------------------------------- forward tangents

    private INDArray inputRows(INDArray dx) {
        if (dx == null) return null;
        requireShape(dx, new long[]{batch, steps, inputSize}, "input tangent");
        return timeMajorRows(dx);
    }

    /**
     * First (and with {@code second}, second) forward tangents of all states along (x + tẋ + t²/2·ẍ, θ + t·v).
     * Returns {ż (T,N,4H), ċ (T+1,N,H), ḣ (T+1,N,H), ḧ (T+1,N,H) or null}.
     */
    private INDArray[] tangents(INDArray dxRows, INDArray ddxRows, INDArray[] theta, INDArray[] v, boolean second) {
        INDArray wx = theta[0], wh = theta[1], vx = v[0], vh = v[1];
        long g4 = 4 * hidden;
        // input part of ż: ẋ·Wx + x·V_x + v_b, for all steps at once
        INDArray zin = MatMul.product(xs, vx).addiRowVector(v[2]);
        if (dxRows != null) Nd4j.gemm(dxRows, wx, zin, false, false, 1.0, 1.0);
        zin = zin.reshape('c', steps, batch, g4);
        // input part of z̈: ẍ·Wx + 2ẋ·V_x
        INDArray zzin = null;
        if (second && (dxRows != null || ddxRows != null)) {
            zzin = Nd4j.zeros(type, (long) steps * batch, g4);
            if (ddxRows != null) Nd4j.gemm(ddxRows, wx, zzin, false, false, 1.0, 1.0);
            if (dxRows != null) Nd4j.gemm(dxRows, vx, zzin, false, false, 2.0, 1.0);
            zzin = zzin.reshape('c', steps, batch, g4);
        }
        INDArray d2 = second ? secondDerivatives() : null;

        INDArray dz = Nd4j.createUninitialized(type, steps, batch, g4);
        INDArray dc = Nd4j.zeros(type, steps + 1, batch, hidden);
        INDArray dh = Nd4j.zeros(type, steps + 1, batch, hidden);
        INDArray ddc = second ? Nd4j.zeros(type, steps + 1, batch, hidden) : null;
        INDArray ddh = second ? Nd4j.zeros(type, steps + 1, batch, hidden) : null;
        for (int t = 0; t < steps; t++) {
            INDArray a = acts.slice(t);
            INDArray i = gate(a, 0), f = gate(a, 1), g = gate(a, 2), o = gate(a, 3);
            INDArray cPrev = cells.slice(t), tc = tanhC.slice(t);
            INDArray tcPrime = tc.mul(tc).rsubi(1.0);

            // ż_t = (ẋ_t Wx + x_t V_x + v_b) + ḣ_{t−1} Wh + h_{t−1} V_h
            INDArray zt = dz.slice(t);
            zt.assign(zin.slice(t));
            if (t > 0) {
                Nd4j.gemm(dh.slice(t), wh, zt, false, false, 1.0, 1.0);
                Nd4j.gemm(hs.slice(t), vh, zt, false, false, 1.0, 1.0);
            }
            INDArray da = zt.mul(d1.slice(t));
            INDArray di = gate(da, 0), df = gate(da, 1), dg = gate(da, 2), dO = gate(da, 3);
            // ċ_t = ḟ c_{t−1} + f ċ_{t−1} + i̇ g + i ġ
            INDArray c1 = dc.slice(t + 1);
            c1.assign(di.mul(g).addi(i.mul(dg)));
            if (t > 0) c1.addi(df.mul(cPrev)).addi(f.mul(dc.slice(t)));
            // ḣ_t = ȯ τ + o τ' ċ
            INDArray dtc = tcPrime.mul(c1);
            dh.slice(t + 1).assign(dO.mul(tc).addi(o.mul(dtc)));

            if (second) {
                // z̈_t = (ẍ_t Wx + 2ẋ_t V_x) + ḧ_{t−1} Wh + 2 ḣ_{t−1} V_h
                INDArray zz = zzin == null ? Nd4j.zeros(type, batch, g4) : zzin.slice(t).dup();
                if (t > 0) {
                    Nd4j.gemm(ddh.slice(t), wh, zz, false, false, 1.0, 1.0);
                    Nd4j.gemm(dh.slice(t), vh, zz, false, false, 2.0, 1.0);
                }
                // ä = σ' z̈ + σ'' ż²
                INDArray dda = zz.muli(d1.slice(t)).addi(zt.mul(zt).muli(d2.slice(t)));
                INDArray ddi = gate(dda, 0), ddf = gate(dda, 1), ddg = gate(dda, 2), ddo = gate(dda, 3);
                // c̈ = f̈ c_p + 2ḟ ċ_p + f c̈_p + ï g + 2 i̇ ġ + i g̈
                INDArray c2 = ddc.slice(t + 1);
                c2.assign(ddi.mul(g).addi(di.mul(dg).muli(2.0)).addi(i.mul(ddg)));
                if (t > 0) {
                    c2.addi(ddf.mul(cPrev)).addi(df.mul(dc.slice(t)).muli(2.0)).addi(f.mul(ddc.slice(t)));
                }
                // τ̈ = τ' c̈ + τ'' ċ², τ'' = −2τ τ'
                INDArray ddtc = tcPrime.mul(c2).addi(tc.mul(-2.0).muli(tcPrime).muli(c1).muli(c1));
                // ḧ = ö τ + 2 ȯ τ̇ + o τ̈
                ddh.slice(t + 1).assign(ddo.mul(tc).addi(dO.mul(dtc).muli(2.0)).addi(o.mul(ddtc)));
            }
        }
        return new INDArray[]{dz, dc, dh, ddh};
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        requireForward();
        dxs = inputRows(dx);
        INDArray[] r = tangents(dxs, null, theta, v, false);
        dzs = r[0];
        dcells = r[1];
        dhs = r[2];
        return output(dhs);
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        requireForward();
        INDArray[] r = tangents(inputRows(dx), inputRows(ddx), theta, v, true);
        return new INDArray[]{output(r[2]), output(r[3])};
    }
}
