package org.tuneless.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The JDK Vector API implementation of {@link Kernels}: loads and stores go straight to ND4J's off-heap buffers
 * through direct {@link ByteBuffer} views (no copies), {@link FloatVector#SPECIES_PREFERRED} lanes (16 floats with
 * AVX-512). Loaded by name only when the {@code jdk.incubator.vector} module is present. Lanes and the scalar tail do
 * the same IEEE float operations in the same order (fused multiply-adds in both), so the result does not depend on the tensor's length.
 */
final class VectorKernels implements Kernels.Fused {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    @Override public String describe() {
        return "fused Vector API kernels (jdk.incubator.vector, " + F.vectorBitSize() + "-bit vectors: " + F.length() + " float lanes)";
    }

    /** The whole underlying buffer; element i of {@code x} is at byte {@code 4·(x.offset() + i)}. */
    private static ByteBuffer bytes(INDArray x) {
        return x.data().asNio().order(ORDER);
    }

    @Override public void adamDirection(INDArray g, INDArray w, float l2, INDArray m, INDArray v, INDArray precond, INDArray out,
                                        float beta1, float c1, float beta2, float c2, float bc1, float bc2, float eps, float decoupled) {
        ByteBuffer G = bytes(g), W = bytes(w), M = bytes(m), V = bytes(v), P = bytes(precond), O = bytes(out);
        int og = 4 * (int) g.offset(), ow = 4 * (int) w.offset(), om = 4 * (int) m.offset(), ov = 4 * (int) v.offset(),
                op = 4 * (int) precond.offset(), oo = 4 * (int) out.offset();
        int n = (int) g.length();
        // one square root and one division per element (the reference path divides three times): v/bc2 as v·(1/bc2)
        // and m/P/(−bc1) as m/(P·(−bc1)), the same values to rounding (KernelsTest bounds the difference)
        float nbc1 = -bc1, nwd = -decoupled, ibc2 = 1 / bc2;
        FloatVector L2 = FloatVector.broadcast(F, l2), C1 = FloatVector.broadcast(F, c1), C2 = FloatVector.broadcast(F, c2),
                NWD = FloatVector.broadcast(F, nwd);
        boolean coupled = l2 != 0, decay = decoupled != 0;
        int i = 0, bound = F.loopBound(n);
        // straight-line loops (no vector that may be null) so that C2 keeps every vector in registers
        if (!coupled && !decay) {
            for (; i < bound; i += F.length()) {
                int b = 4 * i;
                FloatVector d = FloatVector.fromByteBuffer(F, G, og + b, ORDER);
                FloatVector mv = d.fma(C1, FloatVector.fromByteBuffer(F, M, om + b, ORDER).mul(beta1));
                FloatVector vv = d.mul(d).fma(C2, FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(beta2));
                FloatVector pv = vv.mul(ibc2).sqrt().add(eps);
                mv.intoByteBuffer(M, om + b, ORDER);
                vv.intoByteBuffer(V, ov + b, ORDER);
                pv.intoByteBuffer(P, op + b, ORDER);
                mv.div(pv.mul(nbc1)).intoByteBuffer(O, oo + b, ORDER);
            }
        } else {
            // fma(w, 0, x) = x for finite w: one loop serves coupled L2 (Adam) and decoupled decay (AdamW)
            for (; i < bound; i += F.length()) {
                int b = 4 * i;
                FloatVector wv = FloatVector.fromByteBuffer(F, W, ow + b, ORDER);
                FloatVector d = wv.fma(L2, FloatVector.fromByteBuffer(F, G, og + b, ORDER));
                FloatVector mv = d.fma(C1, FloatVector.fromByteBuffer(F, M, om + b, ORDER).mul(beta1));
                FloatVector vv = d.mul(d).fma(C2, FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(beta2));
                FloatVector pv = vv.mul(ibc2).sqrt().add(eps);
                mv.intoByteBuffer(M, om + b, ORDER);
                vv.intoByteBuffer(V, ov + b, ORDER);
                pv.intoByteBuffer(P, op + b, ORDER);
                wv.fma(NWD, mv.div(pv.mul(nbc1))).intoByteBuffer(O, oo + b, ORDER);
            }
        }
        for (; i < n; i++) {  // the tail (< one vector): the same float operations, one element at a time
            int b = 4 * i;
            float d = G.getFloat(og + b);
            float wi = coupled || decay ? W.getFloat(ow + b) : 0;
            if (coupled) d = Math.fma(wi, l2, d);
            float mi = Math.fma(d, c1, M.getFloat(om + b) * beta1);
            float vi = Math.fma(d * d, c2, V.getFloat(ov + b) * beta2);
            float pi = (float) Math.sqrt(vi * ibc2) + eps;  // the double square root of a float, rounded: the float square root
            float u = mi / (pi * nbc1);
            if (decay) u = Math.fma(wi, nwd, u);
            M.putFloat(om + b, mi);
            V.putFloat(ov + b, vi);
            P.putFloat(op + b, pi);
            O.putFloat(oo + b, u);
        }
    }

    @Override public void adamStep(INDArray g, INDArray w, float l2, INDArray m, INDArray v, INDArray precond, float lr,
                                   float beta1, float c1, float beta2, float c2, float bc1, float bc2, float eps, float decoupled) {
        ByteBuffer G = bytes(g), W = bytes(w), M = bytes(m), V = bytes(v), P = bytes(precond);
        int og = 4 * (int) g.offset(), ow = 4 * (int) w.offset(), om = 4 * (int) m.offset(), ov = 4 * (int) v.offset(),
                op = 4 * (int) precond.offset();
        int n = (int) g.length();
        // the operations of adamDirection, then w ← fma(lr, u, w)
        float nbc1 = -bc1, nwd = -decoupled, ibc2 = 1 / bc2;
        FloatVector L2 = FloatVector.broadcast(F, l2), C1 = FloatVector.broadcast(F, c1), C2 = FloatVector.broadcast(F, c2),
                NWD = FloatVector.broadcast(F, nwd), LR = FloatVector.broadcast(F, lr);
        boolean coupled = l2 != 0, decay = decoupled != 0;
        int i = 0, bound = F.loopBound(n);
        if (!coupled && !decay) {
            for (; i < bound; i += F.length()) {
                int b = 4 * i;
                FloatVector d = FloatVector.fromByteBuffer(F, G, og + b, ORDER);
                FloatVector mv = d.fma(C1, FloatVector.fromByteBuffer(F, M, om + b, ORDER).mul(beta1));
                FloatVector vv = d.mul(d).fma(C2, FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(beta2));
                FloatVector pv = vv.mul(ibc2).sqrt().add(eps);
                mv.intoByteBuffer(M, om + b, ORDER);
                vv.intoByteBuffer(V, ov + b, ORDER);
                pv.intoByteBuffer(P, op + b, ORDER);
                mv.div(pv.mul(nbc1)).fma(LR, FloatVector.fromByteBuffer(F, W, ow + b, ORDER)).intoByteBuffer(W, ow + b, ORDER);
            }
        } else {
            for (; i < bound; i += F.length()) {
                int b = 4 * i;
                FloatVector wv = FloatVector.fromByteBuffer(F, W, ow + b, ORDER);
                FloatVector d = wv.fma(L2, FloatVector.fromByteBuffer(F, G, og + b, ORDER));
                FloatVector mv = d.fma(C1, FloatVector.fromByteBuffer(F, M, om + b, ORDER).mul(beta1));
                FloatVector vv = d.mul(d).fma(C2, FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(beta2));
                FloatVector pv = vv.mul(ibc2).sqrt().add(eps);
                mv.intoByteBuffer(M, om + b, ORDER);
                vv.intoByteBuffer(V, ov + b, ORDER);
                pv.intoByteBuffer(P, op + b, ORDER);
                wv.fma(NWD, mv.div(pv.mul(nbc1))).fma(LR, wv).intoByteBuffer(W, ow + b, ORDER);
            }
        }
        for (; i < n; i++) {  // the tail: the same float operations, one element at a time
            int b = 4 * i;
            float d = G.getFloat(og + b);
            float wi = W.getFloat(ow + b);
            if (coupled) d = Math.fma(wi, l2, d);
            float mi = Math.fma(d, c1, M.getFloat(om + b) * beta1);
            float vi = Math.fma(d * d, c2, V.getFloat(ov + b) * beta2);
            float pi = (float) Math.sqrt(vi * ibc2) + eps;
            float u = mi / (pi * nbc1);
            if (decay) u = Math.fma(wi, nwd, u);
            M.putFloat(om + b, mi);
            V.putFloat(ov + b, vi);
            P.putFloat(op + b, pi);
            W.putFloat(ow + b, Math.fma(u, lr, wi));
        }
    }

    @Override public void reluMask(INDArray x, INDArray v, INDArray out) {
        ByteBuffer X = bytes(x), V = bytes(v), O = bytes(out);
        int ox = 4 * (int) x.offset(), ov = 4 * (int) v.offset(), oo = 4 * (int) out.offset();
        int n = (int) x.length();
        FloatVector zero = FloatVector.zero(F), one = FloatVector.broadcast(F, 1f);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int b = 4 * i;
            VectorMask<Float> positive = FloatVector.fromByteBuffer(F, X, ox + b, ORDER).compare(VectorOperators.GT, 0f);
            FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(zero.blend(one, positive)).intoByteBuffer(O, oo + b, ORDER);
        }
        for (; i < n; i++) {
            int b = 4 * i;
            O.putFloat(oo + b, V.getFloat(ov + b) * (X.getFloat(ox + b) > 0 ? 1f : 0f));
        }
    }

    @Override public void columnSums(INDArray g, int rows, int n, INDArray out) {
        ByteBuffer Gb = bytes(g), O = bytes(out);
        int og = 4 * (int) g.offset(), oo = 4 * (int) out.offset(), stride = 4 * n;
        int j = 0;
        // four vectors of columns at a time (four independent chains of adds), then one, then single columns
        for (int bound = n - 4 * F.length(); j <= bound; j += 4 * F.length()) {
            int b = og + 4 * j;
            FloatVector a0 = FloatVector.fromByteBuffer(F, Gb, b, ORDER), a1 = FloatVector.fromByteBuffer(F, Gb, b + 4 * F.length(), ORDER),
                    a2 = FloatVector.fromByteBuffer(F, Gb, b + 8 * F.length(), ORDER), a3 = FloatVector.fromByteBuffer(F, Gb, b + 12 * F.length(), ORDER);
            for (int r = 1; r < rows; r++) {
                int rb = b + r * stride;
                a0 = a0.add(FloatVector.fromByteBuffer(F, Gb, rb, ORDER));
                a1 = a1.add(FloatVector.fromByteBuffer(F, Gb, rb + 4 * F.length(), ORDER));
                a2 = a2.add(FloatVector.fromByteBuffer(F, Gb, rb + 8 * F.length(), ORDER));
                a3 = a3.add(FloatVector.fromByteBuffer(F, Gb, rb + 12 * F.length(), ORDER));
            }
            a0.intoByteBuffer(O, oo + 4 * j, ORDER);
            a1.intoByteBuffer(O, oo + 4 * j + 4 * F.length(), ORDER);
            a2.intoByteBuffer(O, oo + 4 * j + 8 * F.length(), ORDER);
            a3.intoByteBuffer(O, oo + 4 * j + 12 * F.length(), ORDER);
        }
        for (int bound = F.loopBound(n); j < bound; j += F.length()) {
            int b = og + 4 * j;
            FloatVector a = FloatVector.fromByteBuffer(F, Gb, b, ORDER);
            for (int r = 1; r < rows; r++) a = a.add(FloatVector.fromByteBuffer(F, Gb, b + r * stride, ORDER));
            a.intoByteBuffer(O, oo + 4 * j, ORDER);
        }
        for (; j < n; j++) {  // the remaining columns: the same sums in the same order
            int b = og + 4 * j;
            float a = Gb.getFloat(b);
            for (int r = 1; r < rows; r++) a += Gb.getFloat(b + r * stride);
            O.putFloat(oo + 4 * j, a);
        }
    }

    @Override public void scheduleFreeAdamW(INDArray g, INDArray y, INDArray z, INDArray v, float beta2, float c2, float ibc2, float eps,
                                            float wd, float c, float alphaY, float alphaZ) {
        ByteBuffer G = bytes(g), Y = bytes(y), Z = bytes(z), V = bytes(v);
        int og = 4 * (int) g.offset(), oy = 4 * (int) y.offset(), oz = 4 * (int) z.offset(), ov = 4 * (int) v.offset();
        int n = (int) g.length();
        FloatVector C2 = FloatVector.broadcast(F, c2), WD = FloatVector.broadcast(F, wd), C = FloatVector.broadcast(F, c),
                AY = FloatVector.broadcast(F, alphaY), AZ = FloatVector.broadcast(F, alphaZ);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int b = 4 * i;
            FloatVector gv = FloatVector.fromByteBuffer(F, G, og + b, ORDER);
            FloatVector yv = FloatVector.fromByteBuffer(F, Y, oy + b, ORDER);
            FloatVector zv = FloatVector.fromByteBuffer(F, Z, oz + b, ORDER);
            FloatVector vv = gv.mul(gv).fma(C2, FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(beta2));
            FloatVector gh = yv.fma(WD, gv.div(vv.mul(ibc2).sqrt().add(eps)));  // wd = 0: fma(y, 0, x) = x for finite y
            vv.intoByteBuffer(V, ov + b, ORDER);
            gh.fma(AY, zv.sub(yv).fma(C, yv)).intoByteBuffer(Y, oy + b, ORDER);
            gh.fma(AZ, zv).intoByteBuffer(Z, oz + b, ORDER);
        }
        for (; i < n; i++) {  // the tail: the same float operations, one element at a time
            int b = 4 * i;
            float gi = G.getFloat(og + b), yi = Y.getFloat(oy + b), zi = Z.getFloat(oz + b);
            float vi = Math.fma(gi * gi, c2, V.getFloat(ov + b) * beta2);
            float gh = Math.fma(yi, wd, gi / ((float) Math.sqrt(vi * ibc2) + eps));
            V.putFloat(ov + b, vi);
            Y.putFloat(oy + b, Math.fma(gh, alphaY, Math.fma(zi - yi, c, yi)));
            Z.putFloat(oz + b, Math.fma(gh, alphaZ, zi));
        }
    }

    /** Block length of the float-lane partial sums (then summed in double). */
    private static final int BLOCK = 1024;

    @Override public double[] prodigyMoments(INDArray grad, INDArray x, float l2, INDArray p0, INDArray m, INDArray v, INDArray s,
                                             float beta1, float mCoef, float beta2, float vCoef, float beta3, float sCoef) {
        ByteBuffer G = bytes(grad), X = bytes(x), P0 = bytes(p0), M = bytes(m), V = bytes(v), S = bytes(s);
        int og = 4 * (int) grad.offset(), ox = 4 * (int) x.offset(), op = 4 * (int) p0.offset(), om = 4 * (int) m.offset(),
                ov = 4 * (int) v.offset(), os = 4 * (int) s.offset();
        int n = (int) grad.length();
        FloatVector L2 = FloatVector.broadcast(F, l2), MC = FloatVector.broadcast(F, mCoef), VC = FloatVector.broadcast(F, vCoef),
                SC = FloatVector.broadcast(F, sCoef);
        double dot = 0, abs = 0;
        int i = 0, bound = F.loopBound(n);
        while (i < bound) {
            int end = Math.min(bound, i + BLOCK);
            FloatVector dotAcc = FloatVector.zero(F), absAcc = FloatVector.zero(F);
            for (; i < end; i += F.length()) {
                int b = 4 * i;
                FloatVector xv = FloatVector.fromByteBuffer(F, X, ox + b, ORDER);
                FloatVector gv = xv.fma(L2, FloatVector.fromByteBuffer(F, G, og + b, ORDER));  // l2 = 0: g exactly
                dotAcc = gv.fma(FloatVector.fromByteBuffer(F, P0, op + b, ORDER).sub(xv), dotAcc);
                gv.fma(MC, FloatVector.fromByteBuffer(F, M, om + b, ORDER).mul(beta1)).intoByteBuffer(M, om + b, ORDER);
                gv.mul(gv).fma(VC, FloatVector.fromByteBuffer(F, V, ov + b, ORDER).mul(beta2)).intoByteBuffer(V, ov + b, ORDER);
                FloatVector sv = gv.fma(SC, FloatVector.fromByteBuffer(F, S, os + b, ORDER).mul(beta3));
                sv.intoByteBuffer(S, os + b, ORDER);
                absAcc = absAcc.add(sv.abs());
            }
            dot += dotAcc.reduceLanes(VectorOperators.ADD);
            abs += absAcc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {  // the tail: the same float operations, one element at a time
            int b = 4 * i;
            float xi = X.getFloat(ox + b);
            float gi = Math.fma(xi, l2, G.getFloat(og + b));
            dot += gi * (P0.getFloat(op + b) - xi);
            M.putFloat(om + b, Math.fma(gi, mCoef, M.getFloat(om + b) * beta1));
            V.putFloat(ov + b, Math.fma(gi * gi, vCoef, V.getFloat(ov + b) * beta2));
            float si = Math.fma(gi, sCoef, S.getFloat(os + b) * beta3);
            S.putFloat(os + b, si);
            abs += Math.abs(si);
        }
        return new double[]{dot, abs};
    }

    @Override public void prodigyStep(INDArray x, INDArray m, INDArray v, float dEps, float coef, float decay) {
        ByteBuffer X = bytes(x), M = bytes(m), V = bytes(v);
        int ox = 4 * (int) x.offset(), om = 4 * (int) m.offset(), ov = 4 * (int) v.offset();
        int n = (int) x.length();
        FloatVector C = FloatVector.broadcast(F, coef), DEC = FloatVector.broadcast(F, decay);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int b = 4 * i;
            FloatVector xv = FloatVector.fromByteBuffer(F, X, ox + b, ORDER);
            xv = xv.fma(DEC, xv);  // decoupled decay first, as the reference path; decay = 0: x exactly
            FloatVector u = FloatVector.fromByteBuffer(F, M, om + b, ORDER).div(FloatVector.fromByteBuffer(F, V, ov + b, ORDER).sqrt().add(dEps));
            u.fma(C, xv).intoByteBuffer(X, ox + b, ORDER);
        }
        for (; i < n; i++) {
            int b = 4 * i;
            float xi = X.getFloat(ox + b);
            xi = Math.fma(xi, decay, xi);
            float u = M.getFloat(om + b) / ((float) Math.sqrt(V.getFloat(ov + b)) + dEps);
            X.putFloat(ox + b, Math.fma(u, coef, xi));
        }
    }

    // Φ and φ are evaluated in float64 lanes and rounded once to float32, so both are within ½ ulp (+ ~1e-9 relative) of
    // the exact values. erfc(a) = exp(−a²)·t·R(t) with t = 1/(1 + a/2), a = |x|/√2 ≥ 0 (the variable of Numerical
    // Recipes' erfcc, which fits ln R to 1.2e-7 instead); here R = erfcx(a)/t is a degree-14 polynomial in t, a Chebyshev
    // fit on t ∈ (0, 1] (relative error 2.1e-10 over the whole range) made by optimizers/tools/fit_erfc.py. One exp,
    // exp(−x²/2), serves Φ and φ; x²/2 is exact in float64 for a float32 x, so the tails keep their relative accuracy
    // down to the subnormals.
    private static final double[] ERFCX = {0.2820947917144983, 0.28209481804129344, 0.2468310270832348, 0.17636388705261183,
            0.0829414001411604, 0.002604167456747908, -0.09540699384364404, 0.08573969302254225, -0.3288473517926416,
            0.5079049308838834, -0.22620647951957817, -0.16926161224215674, 0.24717699905064772, -0.11325035555957735,
            0.019221078567808605};
    private static final double INV_SQRT2_D = 1 / Math.sqrt(2), INV_SQRT_2PI_D = 1 / Math.sqrt(2 * Math.PI);
    // float64 lanes, and float32 lanes of the same count (half the bits) to load and store them
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FD = VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, D.vectorBitSize() / 2)));

    // exp in float64 from IEEE operations only (add, multiply, fma, float→integer conversion, shifts), so that the
    // C2-compiled vector code, the Vector API's per-lane fallback and the scalar tail give the same bits.
    // VectorOperators.EXP is not so: compiled it is an SVML stub, interpreted it is Math.exp per lane, and the two differ
    // in the last bit — which one runs depends on when the JIT finishes, so the same seed gave different float32 GELU
    // numbers from run to run (it did, before these kernels had their own exp). k = round(x·log₂e),
    // r = x − k·ln 2 (ln 2 in two parts, the head with 32 trailing zero bits so that k·head is exact), |r| ≤ ½ ln 2;
    // exp(r) by its Taylor polynomial to degree 12 (truncation < 2e-16 relative); 2ᵏ from its bits. Arguments below
    // −708 (where 2ᵏ would leave the normal range) give 0, which the float32 results round to anyway.
    private static final double LOG2E_D = 1.4426950408889634, LN2_HEAD_D = 0.6931471803691238, LN2_TAIL_D = 1.9082149292705877e-10,
            ROUND_D = 6755399441055744.0, EXP_MIN_D = -708;  // ROUND_D = 1.5·2⁵²
    private static final double[] EXP_TAYLOR_D = new double[13];
    static {
        double f = 1;
        for (int j = 0; j < EXP_TAYLOR_D.length; j++) {
            if (j > 0) f *= j;
            EXP_TAYLOR_D[j] = 1 / f;
        }
    }

    static DoubleVector exp(DoubleVector x) {
        VectorMask<Double> under = x.compare(VectorOperators.LT, EXP_MIN_D);
        DoubleVector xc = x.max(EXP_MIN_D).min(709);
        VectorSpecies<Double> s = x.species();
        DoubleVector kb = xc.fma(LOG2E_D, ROUND_D + 1023);  // 1.5·2⁵² + 1023 + k: k + 1023 in the low mantissa bits
        DoubleVector k = kb.sub(ROUND_D + 1023);
        DoubleVector r = k.fma(DoubleVector.broadcast(s, -LN2_HEAD_D), xc);
        r = k.fma(DoubleVector.broadcast(s, -LN2_TAIL_D), r);
        DoubleVector p = DoubleVector.broadcast(s, EXP_TAYLOR_D[12]);
        for (int j = 11; j >= 0; j--) p = p.fma(r, DoubleVector.broadcast(s, EXP_TAYLOR_D[j]));
        // 2ᵏ = (k + 1023) << 52, shifted out of kb's bits (a D2L conversion is not intrinsified by JDK 17's C2: it made
        // the whole kernel ~2x slower than the ND4J ops it replaces)
        DoubleVector two = kb.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        return p.mul(two).blend(0, under);
    }

    /** {@link #exp(DoubleVector)} on one double, with the same operations. */
    static double exp(double x) {
        if (x < EXP_MIN_D) return 0;
        double xc = Math.min(Math.max(x, EXP_MIN_D), 709);
        double kb = Math.fma(xc, LOG2E_D, ROUND_D + 1023);
        double k = kb - (ROUND_D + 1023);
        double r = Math.fma(k, -LN2_HEAD_D, xc);
        r = Math.fma(k, -LN2_TAIL_D, r);
        double p = EXP_TAYLOR_D[12];
        for (int j = 11; j >= 0; j--) p = Math.fma(p, r, EXP_TAYLOR_D[j]);
        return p * Double.longBitsToDouble(Double.doubleToRawLongBits(kb) << 52);
    }

    @Override public void normalCdfPdf(INDArray x, INDArray cdf, INDArray pdf) {
        ByteBuffer X = bytes(x), C = bytes(cdf), P = bytes(pdf);
        int ox = 4 * (int) x.offset(), oc = 4 * (int) cdf.offset(), op = 4 * (int) pdf.offset();
        int n = (int) x.length();
        int i = 0;
        if (FD.length() == D.length()) {
            // two independent blocks per iteration: each is a chain of ~40 dependent fmas, and the second one's
            // operations fill the first one's latency
            int lanes = D.length();
            for (int bound = n - 2 * lanes + 1; i < bound; i += 2 * lanes) {
                normalCdfPdf(X, C, P, ox + 4 * i, oc + 4 * i, op + 4 * i);
                normalCdfPdf(X, C, P, ox + 4 * (i + lanes), oc + 4 * (i + lanes), op + 4 * (i + lanes));
            }
            for (int bound = D.loopBound(n); i < bound; i += lanes) normalCdfPdf(X, C, P, ox + 4 * i, oc + 4 * i, op + 4 * i);
        }
        for (; i < n; i++) {  // the tail: the same float64 operations, one element at a time
            int b = 4 * i;
            double xi = X.getFloat(ox + b);
            double t = 1 / Math.fma(Math.abs(xi), 0.5 * INV_SQRT2_D, 1);
            double q = ERFCX[14];
            for (int k = 13; k >= 0; k--) q = Math.fma(q, t, ERFCX[k]);
            double gauss = exp(-(xi * xi * 0.5));
            double half = t * q * gauss * 0.5;  // ½·erfc(|x|/√2) = Φ(−|x|)
            C.putFloat(oc + b, (float) (xi < 0 ? half : 1 - half));
            P.putFloat(op + b, (float) (gauss * INV_SQRT_2PI_D));
        }
    }

    private static void normalCdfPdf(ByteBuffer X, ByteBuffer C, ByteBuffer P, int bx, int bc, int bp) {
        DoubleVector xv = (DoubleVector) FloatVector.fromByteBuffer(FD, X, bx, ORDER).convertShape(VectorOperators.F2D, D, 0);
        DoubleVector t = DoubleVector.broadcast(D, 1).div(xv.abs().fma(0.5 * INV_SQRT2_D, 1));
        DoubleVector q = DoubleVector.broadcast(D, ERFCX[14]);
        for (int k = 13; k >= 0; k--) q = q.fma(t, DoubleVector.broadcast(D, ERFCX[k]));
        DoubleVector gauss = exp(xv.mul(xv).mul(0.5).neg());  // x²/2 exact
        DoubleVector half = t.mul(q).mul(gauss).mul(0.5);  // ½·erfc(|x|/√2) = Φ(−|x|)
        DoubleVector phi = DoubleVector.broadcast(D, 1).sub(half).blend(half, xv.compare(VectorOperators.LT, 0));
        phi.convertShape(VectorOperators.D2F, FD, 0).intoByteBuffer(C, bc, ORDER);
        gauss.mul(INV_SQRT_2PI_D).convertShape(VectorOperators.D2F, FD, 0).intoByteBuffer(P, bp, ORDER);
    }

    @Override public double softmaxCrossEntropy(INDArray y, INDArray t, int rows, int k, INDArray p) {
        ByteBuffer Y = bytes(y), T = bytes(t), P = bytes(p);
        int oy = 4 * (int) y.offset(), ot = 4 * (int) t.offset(), op = 4 * (int) p.offset();
        int lanes = D.length();
        // float64 lanes fed by float32 lanes of the same count; where the shapes do not pair up, the scalar form only
        int bound = FD.length() == lanes ? lanes * (k / lanes) : 0;
        double[] e = new double[k], acc = new double[lanes];
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int row = 4 * r * k;
            float max = Float.NEGATIVE_INFINITY;
            int j = 0;
            if (bound > 0) {  // max is exact in any order
                FloatVector m = FloatVector.broadcast(FD, Float.NEGATIVE_INFINITY);
                for (; j < bound; j += lanes) m = m.max(FloatVector.fromByteBuffer(FD, Y, oy + row + 4 * j, ORDER));
                max = m.reduceLanes(VectorOperators.MAX);
            }
            for (; j < k; j++) max = Math.max(max, Y.getFloat(oy + row + 4 * j));
            // e = exp(y − max) (y − max is exact in float64), Σe and t·y, summed in a fixed order: lanes, then the tail
            double sum = 0, ty = 0;
            if (bound > 0) {
                DoubleVector se = DoubleVector.zero(D), st = DoubleVector.zero(D);
                for (j = 0; j < bound; j += lanes) {
                    DoubleVector yv = (DoubleVector) FloatVector.fromByteBuffer(FD, Y, oy + row + 4 * j, ORDER).convertShape(VectorOperators.F2D, D, 0);
                    DoubleVector tv = (DoubleVector) FloatVector.fromByteBuffer(FD, T, ot + row + 4 * j, ORDER).convertShape(VectorOperators.F2D, D, 0);
                    DoubleVector ev = exp(yv.sub(max));
                    ev.intoArray(e, j);
                    se = se.add(ev);
                    st = tv.fma(yv, st);
                }
                se.intoArray(acc, 0);
                for (double a : acc) sum += a;
                st.intoArray(acc, 0);
                for (double a : acc) ty += a;
            }
            for (j = bound; j < k; j++) {
                double yj = Y.getFloat(oy + row + 4 * j);
                double ej = exp(yj - max);
                e[j] = ej;
                sum += ej;
                ty = Math.fma(T.getFloat(ot + row + 4 * j), yj, ty);
            }
            total += max + Math.log(sum) - ty;
            // p = e/Σe, rounded once to float32
            for (j = 0; j < bound; j += lanes) {
                DoubleVector.fromArray(D, e, j).div(sum).convertShape(VectorOperators.D2F, FD, 0).intoByteBuffer(P, op + row + 4 * j, ORDER);
            }
            for (; j < k; j++) P.putFloat(op + row + 4 * j, (float) (e[j] / sum));
        }
        return total;
    }

    @Override public void softmaxHessianTimes(INDArray p, INDArray dy, int rows, int k, double divisor, INDArray out) {
        ByteBuffer P = bytes(p), DY = bytes(dy), O = bytes(out);
        int op = 4 * (int) p.offset(), od = 4 * (int) dy.offset(), oo = 4 * (int) out.offset();
        int lanes = D.length();
        int bound = FD.length() == lanes ? lanes * (k / lanes) : 0;
        double[] acc = new double[lanes];
        for (int r = 0; r < rows; r++) {
            int row = 4 * r * k;
            // s = pᵀẏ in float64, in a fixed order
            double s = 0;
            int j = 0;
            if (bound > 0) {
                DoubleVector sv = DoubleVector.zero(D);
                for (; j < bound; j += lanes) {
                    DoubleVector pv = (DoubleVector) FloatVector.fromByteBuffer(FD, P, op + row + 4 * j, ORDER).convertShape(VectorOperators.F2D, D, 0);
                    DoubleVector dv = (DoubleVector) FloatVector.fromByteBuffer(FD, DY, od + row + 4 * j, ORDER).convertShape(VectorOperators.F2D, D, 0);
                    sv = pv.fma(dv, sv);
                }
                sv.intoArray(acc, 0);
                for (double a : acc) s += a;
            }
            for (; j < k; j++) s = Math.fma(P.getFloat(op + row + 4 * j), DY.getFloat(od + row + 4 * j), s);
            // p ⊙ (ẏ − s) / divisor, rounded once
            for (j = 0; j < bound; j += lanes) {
                DoubleVector pv = (DoubleVector) FloatVector.fromByteBuffer(FD, P, op + row + 4 * j, ORDER).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector dv = (DoubleVector) FloatVector.fromByteBuffer(FD, DY, od + row + 4 * j, ORDER).convertShape(VectorOperators.F2D, D, 0);
                pv.mul(dv.sub(s)).div(divisor).convertShape(VectorOperators.D2F, FD, 0).intoByteBuffer(O, oo + row + 4 * j, ORDER);
            }
            for (; j < k; j++) {
                double pj = P.getFloat(op + row + 4 * j);
                O.putFloat(oo + row + 4 * j, (float) (pj * (DY.getFloat(od + row + 4 * j) - s) / divisor));
            }
        }
    }

    @Override public void differenceOver(INDArray a, INDArray b, float divisor, INDArray out) {
        ByteBuffer A = bytes(a), B = bytes(b), O = bytes(out);
        int oa = 4 * (int) a.offset(), ob = 4 * (int) b.offset(), oo = 4 * (int) out.offset();
        int n = (int) a.length();
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int x = 4 * i;
            FloatVector.fromByteBuffer(F, A, oa + x, ORDER).sub(FloatVector.fromByteBuffer(F, B, ob + x, ORDER)).div(divisor)
                    .intoByteBuffer(O, oo + x, ORDER);
        }
        for (; i < n; i++) {
            int x = 4 * i;
            O.putFloat(oo + x, (A.getFloat(oa + x) - B.getFloat(ob + x)) / divisor);
        }
    }

    @Override public float eccoPrecondition(INDArray g, INDArray gPrev, INDArray vPrev, INDArray v, float dtPrev) {
        ByteBuffer G = bytes(g), GP = bytes(gPrev), VP = bytes(vPrev), V = bytes(v);
        int og = 4 * (int) g.offset(), op = 4 * (int) gPrev.offset(), ovp = 4 * (int) vPrev.offset(), ov = 4 * (int) v.offset();
        int n = (int) g.length();
        FloatVector inf = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int b = 4 * i;
            FloatVector gv = FloatVector.fromByteBuffer(F, G, og + b, ORDER);
            FloatVector q = gv.sub(FloatVector.fromByteBuffer(F, GP, op + b, ORDER)).mul(gv).div(dtPrev).max(1f).sqrt();
            FloatVector vv = gv.mul(q);
            vv.intoByteBuffer(V, ov + b, ORDER);
            inf = inf.max(FloatVector.fromByteBuffer(F, VP, ovp + b, ORDER).sub(vv).abs());
        }
        float m = i > 0 ? inf.reduceLanes(VectorOperators.MAX) : 0f;  // max is exact in any order
        for (; i < n; i++) {
            int b = 4 * i;
            float gi = G.getFloat(og + b);
            float q = (float) Math.sqrt(Math.max((gi - GP.getFloat(op + b)) * gi / dtPrev, 1f));
            float vi = gi * q;
            V.putFloat(ov + b, vi);
            m = Math.max(m, Math.abs(VP.getFloat(ovp + b) - vi));
        }
        return m;
    }

    @Override public float minFiniteRatio(INDArray num, INDArray den) {
        ByteBuffer N = bytes(num), Dn = bytes(den);
        int on = 4 * (int) num.offset(), od = 4 * (int) den.offset();
        int n = (int) num.length();
        FloatVector min = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int b = 4 * i;
            FloatVector r = FloatVector.fromByteBuffer(F, N, on + b, ORDER).div(FloatVector.fromByteBuffer(F, Dn, od + b, ORDER));
            // NaN (0/0) and ±∞ (x/0) do not count: a lane is finite when |r| < ∞ (false for NaN)
            min = min.min(r.blend(Float.POSITIVE_INFINITY, r.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY).not()));
        }
        float m = i > 0 ? min.reduceLanes(VectorOperators.MIN) : Float.POSITIVE_INFINITY;
        for (; i < n; i++) {
            float r = N.getFloat(on + 4 * i) / Dn.getFloat(od + 4 * i);
            if (Math.abs(r) < Float.POSITIVE_INFINITY) m = Math.min(m, r);
        }
        return m;
    }

    @Override public void layerNormForward(INDArray x, int rows, int d, INDArray g, INDArray b, float eps, INDArray xhat, INDArray scale, INDArray y) {
        ByteBuffer X = bytes(x), G = bytes(g), B = bytes(b), XH = bytes(xhat), S = bytes(scale), Y = bytes(y);
        int ox = 4 * (int) x.offset(), og = 4 * (int) g.offset(), ob = 4 * (int) b.offset(), oh = 4 * (int) xhat.offset(),
                os = 4 * (int) scale.offset(), oy = 4 * (int) y.offset();
        int bound = F.loopBound(d);
        float invD = 1f / d;
        for (int r = 0; r < rows; r++) {
            int row = 4 * r * d;
            // μ
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < bound; j += F.length()) acc = acc.add(FloatVector.fromByteBuffer(F, X, ox + row + 4 * j, ORDER));
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (; j < d; j++) sum += X.getFloat(ox + row + 4 * j);
            float mu = sum * invD;
            // σ² of the centred row (two passes, as the reference path)
            acc = FloatVector.zero(F);
            for (j = 0; j < bound; j += F.length()) {
                FloatVector c = FloatVector.fromByteBuffer(F, X, ox + row + 4 * j, ORDER).sub(mu);
                acc = c.fma(c, acc);
            }
            float ss = acc.reduceLanes(VectorOperators.ADD);
            for (; j < d; j++) {
                float c = X.getFloat(ox + row + 4 * j) - mu;
                ss = Math.fma(c, c, ss);
            }
            float s = (float) (1 / Math.sqrt(ss * invD + eps));
            S.putFloat(os + 4 * r, s);
            for (j = 0; j < bound; j += F.length()) {
                FloatVector h = FloatVector.fromByteBuffer(F, X, ox + row + 4 * j, ORDER).sub(mu).mul(s);
                h.intoByteBuffer(XH, oh + row + 4 * j, ORDER);
                h.fma(FloatVector.fromByteBuffer(F, G, og + 4 * j, ORDER), FloatVector.fromByteBuffer(F, B, ob + 4 * j, ORDER))
                        .intoByteBuffer(Y, oy + row + 4 * j, ORDER);
            }
            for (; j < d; j++) {
                float h = (X.getFloat(ox + row + 4 * j) - mu) * s;
                XH.putFloat(oh + row + 4 * j, h);
                Y.putFloat(oy + row + 4 * j, Math.fma(h, G.getFloat(og + 4 * j), B.getFloat(ob + 4 * j)));
            }
        }
    }

    @Override public void layerNormBackward(INDArray gy, INDArray xhat, INDArray scale, int rows, int d, INDArray g,
                                            INDArray gradG, INDArray gradB, INDArray gx) {
        ByteBuffer GY = bytes(gy), XH = bytes(xhat), S = bytes(scale), G = bytes(g);
        int oy = 4 * (int) gy.offset(), oh = 4 * (int) xhat.offset(), os = 4 * (int) scale.offset(), og = 4 * (int) g.offset();
        boolean grads = gradG != null;
        ByteBuffer GG = grads ? bytes(gradG) : null, GB = grads ? bytes(gradB) : null, GX = gx != null ? bytes(gx) : null;
        int ogg = grads ? 4 * (int) gradG.offset() : 0, ogb = grads ? 4 * (int) gradB.offset() : 0, ox = gx != null ? 4 * (int) gx.offset() : 0;
        int bound = F.loopBound(d);
        float invD = 1f / d;
        if (grads) {  // column sums start from zero
            FloatVector z = FloatVector.zero(F);
            int j = 0;
            for (; j < bound; j += F.length()) {
                z.intoByteBuffer(GG, ogg + 4 * j, ORDER);
                z.intoByteBuffer(GB, ogb + 4 * j, ORDER);
            }
            for (; j < d; j++) {
                GG.putFloat(ogg + 4 * j, 0f);
                GB.putFloat(ogb + 4 * j, 0f);
            }
        }
        for (int r = 0; r < rows; r++) {
            int row = 4 * r * d;
            FloatVector su = FloatVector.zero(F), sxu = FloatVector.zero(F);
            int j = 0;
            for (; j < bound; j += F.length()) {
                FloatVector gyv = FloatVector.fromByteBuffer(F, GY, oy + row + 4 * j, ORDER), h = FloatVector.fromByteBuffer(F, XH, oh + row + 4 * j, ORDER);
                if (grads) {
                    gyv.fma(h, FloatVector.fromByteBuffer(F, GG, ogg + 4 * j, ORDER)).intoByteBuffer(GG, ogg + 4 * j, ORDER);
                    gyv.add(FloatVector.fromByteBuffer(F, GB, ogb + 4 * j, ORDER)).intoByteBuffer(GB, ogb + 4 * j, ORDER);
                }
                FloatVector u = gyv.mul(FloatVector.fromByteBuffer(F, G, og + 4 * j, ORDER));
                su = su.add(u);
                sxu = h.fma(u, sxu);
            }
            float sumU = su.reduceLanes(VectorOperators.ADD), sumXU = sxu.reduceLanes(VectorOperators.ADD);
            for (; j < d; j++) {
                float gyj = GY.getFloat(oy + row + 4 * j), h = XH.getFloat(oh + row + 4 * j);
                if (grads) {
                    GG.putFloat(ogg + 4 * j, Math.fma(gyj, h, GG.getFloat(ogg + 4 * j)));
                    GB.putFloat(ogb + 4 * j, gyj + GB.getFloat(ogb + 4 * j));
                }
                float u = gyj * G.getFloat(og + 4 * j);
                sumU += u;
                sumXU = Math.fma(h, u, sumXU);
            }
            if (GX == null) continue;
            float s = S.getFloat(os + 4 * r), meanU = sumU * invD, meanXU = sumXU * invD;
            for (j = 0; j < bound; j += F.length()) {
                FloatVector u = FloatVector.fromByteBuffer(F, GY, oy + row + 4 * j, ORDER).mul(FloatVector.fromByteBuffer(F, G, og + 4 * j, ORDER));
                FloatVector h = FloatVector.fromByteBuffer(F, XH, oh + row + 4 * j, ORDER);
                h.mul(-meanXU).add(u.sub(meanU)).mul(s).intoByteBuffer(GX, ox + row + 4 * j, ORDER);
            }
            for (; j < d; j++) {
                float u = GY.getFloat(oy + row + 4 * j) * G.getFloat(og + 4 * j), h = XH.getFloat(oh + row + 4 * j);
                GX.putFloat(ox + row + 4 * j, (h * -meanXU + (u - meanU)) * s);
            }
        }
    }

    /** Σ of {@code len} floats at byte {@code base}: float lanes, then the lanes and the tail in a fixed order (reproducible). */
    private static float blockSum(ByteBuffer X, int base, int len, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += F.length()) acc = acc.add(FloatVector.fromByteBuffer(F, X, base + 4 * j, ORDER));
        acc.intoArray(lanes, 0);
        float sum = 0;
        for (float l : lanes) sum += l;
        for (; j < len; j++) sum += X.getFloat(base + 4 * j);
        return sum;
    }

    /** Σ (x − mu)² over {@code len} floats at byte {@code base}, as {@link #blockSum}. */
    private static float blockSquares(ByteBuffer X, int base, int len, float mu, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += F.length()) {
            FloatVector d = FloatVector.fromByteBuffer(F, X, base + 4 * j, ORDER).sub(mu);
            acc = d.fma(d, acc);
        }
        acc.intoArray(lanes, 0);
        float sum = 0;
        for (float l : lanes) sum += l;
        for (; j < len; j++) {
            float d = X.getFloat(base + 4 * j) - mu;
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override public void batchNormForward(INDArray x, int n, int c, int hw, INDArray g, INDArray b, float eps, INDArray xhat,
                                           INDArray scale, INDArray mean, INDArray var, INDArray y) {
        ByteBuffer X = bytes(x), G = bytes(g), B = bytes(b), XH = bytes(xhat), S = bytes(scale), M = bytes(mean), V = bytes(var), Y = bytes(y);
        int ox = 4 * (int) x.offset(), oh = 4 * (int) xhat.offset(), oy = 4 * (int) y.offset();
        float[] lanes = new float[F.length()];
        double count = (double) n * hw;
        int bound = F.loopBound(hw);
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int e = 0; e < n; e++) sum += blockSum(X, ox + 4 * (e * c + ch) * hw, hw, lanes);
            float mu = (float) (sum / count);
            double squares = 0;
            for (int e = 0; e < n; e++) squares += blockSquares(X, ox + 4 * (e * c + ch) * hw, hw, mu, lanes);
            float variance = (float) (squares / count);
            float s = (float) (1 / Math.sqrt(variance + eps));
            float gc = G.getFloat(4 * (int) (g.offset() + ch)), bc = B.getFloat(4 * (int) (b.offset() + ch));
            S.putFloat(4 * (int) (scale.offset() + ch), s);
            M.putFloat(4 * (int) (mean.offset() + ch), mu);
            V.putFloat(4 * (int) (var.offset() + ch), variance);
            for (int e = 0; e < n; e++) {
                int block = 4 * (e * c + ch) * hw;
                int j = 0;
                for (; j < bound; j += F.length()) {
                    FloatVector h = FloatVector.fromByteBuffer(F, X, ox + block + 4 * j, ORDER).sub(mu).mul(s);
                    h.intoByteBuffer(XH, oh + block + 4 * j, ORDER);
                    h.fma(gc, bc).intoByteBuffer(Y, oy + block + 4 * j, ORDER);
                }
                for (; j < hw; j++) {
                    float h = (X.getFloat(ox + block + 4 * j) - mu) * s;
                    XH.putFloat(oh + block + 4 * j, h);
                    Y.putFloat(oy + block + 4 * j, Math.fma(h, gc, bc));
                }
            }
        }
    }

    @Override public void batchNormBackward(INDArray gy, INDArray xhat, INDArray scale, int n, int c, int hw, INDArray g,
                                            INDArray gradG, INDArray gradB, INDArray gx) {
        ByteBuffer GY = bytes(gy), XH = bytes(xhat), S = bytes(scale), G = bytes(g);
        int og = 4 * (int) gy.offset(), oh = 4 * (int) xhat.offset();
        ByteBuffer GX = gx == null ? null : bytes(gx);
        int ox = gx == null ? 0 : 4 * (int) gx.offset();
        float[] lanes = new float[F.length()], lanes2 = new float[F.length()];
        double count = (double) n * hw;
        int bound = F.loopBound(hw);
        for (int ch = 0; ch < c; ch++) {
            double sumGy = 0, sumGyXhat = 0;
            for (int e = 0; e < n; e++) {
                int block = 4 * (e * c + ch) * hw;
                FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
                int j = 0;
                for (; j < bound; j += F.length()) {
                    FloatVector d = FloatVector.fromByteBuffer(F, GY, og + block + 4 * j, ORDER);
                    a1 = a1.add(d);
                    a2 = d.fma(FloatVector.fromByteBuffer(F, XH, oh + block + 4 * j, ORDER), a2);
                }
                a1.intoArray(lanes, 0);
                a2.intoArray(lanes2, 0);
                float s1 = 0, s2 = 0;
                for (int k = 0; k < lanes.length; k++) {
                    s1 += lanes[k];
                    s2 += lanes2[k];
                }
                for (; j < hw; j++) {
                    float d = GY.getFloat(og + block + 4 * j);
                    s1 += d;
                    s2 = Math.fma(d, XH.getFloat(oh + block + 4 * j), s2);
                }
                sumGy += s1;
                sumGyXhat += s2;
            }
            if (gradG != null) {
                bytes(gradG).putFloat(4 * (int) (gradG.offset() + ch), (float) sumGyXhat);
                bytes(gradB).putFloat(4 * (int) (gradB.offset() + ch), (float) sumGy);
            }
            if (GX == null) continue;
            // gx = k·gy − k·Σgy/K − x̂·k·Σ(gy⊙x̂)/K with k = s·g
            float k = S.getFloat(4 * (int) (scale.offset() + ch)) * G.getFloat(4 * (int) (g.offset() + ch));
            float m1 = (float) (k * sumGy / count), m2 = (float) (k * sumGyXhat / count);
            FloatVector negM2 = FloatVector.broadcast(F, -m2);
            for (int e = 0; e < n; e++) {
                int block = 4 * (e * c + ch) * hw;
                int j = 0;
                for (; j < bound; j += F.length()) {
                    FloatVector d = FloatVector.fromByteBuffer(F, GY, og + block + 4 * j, ORDER).fma(k, -m1);
                    FloatVector.fromByteBuffer(F, XH, oh + block + 4 * j, ORDER).fma(negM2, d).intoByteBuffer(GX, ox + block + 4 * j, ORDER);
                }
                for (; j < hw; j++) {
                    float d = Math.fma(GY.getFloat(og + block + 4 * j), k, -m1);
                    GX.putFloat(ox + block + 4 * j, Math.fma(XH.getFloat(oh + block + 4 * j), -m2, d));
                }
            }
        }
    }
}
