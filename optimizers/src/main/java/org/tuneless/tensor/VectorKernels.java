package org.tuneless.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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

    // exp(x) from IEEE operations only (add, multiply, fma, float→int conversion, shifts), so that the C2-compiled vector
    // code, the Vector API's per-lane fallback and the scalar tail give the same bits. VectorOperators.EXP is not so:
    // compiled it is an SVML stub, interpreted it is Math.exp per lane, and the two differ in the last bit — which one
    // runs depends on when the JIT finishes, so the same seed gave different float32 GELU numbers from run to run.
    // x = k·ln 2 + r with k = round(x·log₂e) and |r| ≤ ½ ln 2 (ln 2 split into a 9-bit head, exact in k·head, and a
    // tail); exp(r) by its Taylor polynomial to degree 7 (truncation < 5e-9 relative, under ⅒ ulp); 2ᵏ from its bits.
    private static final float LOG2E = 1.44269504f, LN2_HEAD = 0.693359375f, LN2_TAIL = -2.12194440e-4f, ROUND = 12582912f;  // 1.5·2²³
    private static final float EXP_MIN = -87.33654f, EXP_MAX = 88f;  // ln of the smallest normal float; below it 0
    private static final float[] EXP_TAYLOR = {1f, 1f, 1f / 2, 1f / 6, 1f / 24, 1f / 120, 1f / 720, 1f / 5040};

    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_MIN);
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        VectorSpecies<Float> s = x.species();
        FloatVector k = xc.fma(LOG2E, ROUND).sub(ROUND);  // round to nearest: exact for |k| < 2²²
        FloatVector r = k.fma(FloatVector.broadcast(s, -LN2_HEAD), xc);
        r = k.fma(FloatVector.broadcast(s, -LN2_TAIL), r);
        FloatVector p = FloatVector.broadcast(s, EXP_TAYLOR[7]);
        for (int j = 6; j >= 0; j--) p = p.fma(r, FloatVector.broadcast(s, EXP_TAYLOR[j]));
        FloatVector two = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(two).blend(0f, under);
    }

    /** {@link #exp(FloatVector)} on one float, with the same operations. */
    static float exp(float x) {
        if (x < EXP_MIN) return 0f;
        float xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float k = Math.fma(xc, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_HEAD, xc);
        r = Math.fma(k, -LN2_TAIL, r);
        float p = EXP_TAYLOR[7];
        for (int j = 6; j >= 0; j--) p = Math.fma(p, r, EXP_TAYLOR[j]);
        return p * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    // erfc(a) ≈ t·exp(P(t) − a²), t = 1/(1 + a/2), a ≥ 0 (Numerical Recipes erfcc; fractional error < 1.2e-7)
    private static final float[] ERFC = {-1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f, 0.27886807f,
            -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2)), INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    @Override public void normalCdfPdf(INDArray x, INDArray cdf, INDArray pdf) {
        ByteBuffer X = bytes(x), C = bytes(cdf), P = bytes(pdf);
        int ox = 4 * (int) x.offset(), oc = 4 * (int) cdf.offset(), op = 4 * (int) pdf.offset();
        int n = (int) x.length();
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            int b = 4 * i;
            FloatVector xv = FloatVector.fromByteBuffer(F, X, ox + b, ORDER);
            FloatVector t = xv.abs().mul(0.5f * INV_SQRT2).add(1f);
            t = FloatVector.broadcast(F, 1f).div(t);
            FloatVector poly = FloatVector.broadcast(F, ERFC[9]);
            for (int k = 8; k >= 0; k--) poly = poly.fma(t, FloatVector.broadcast(F, ERFC[k]));
            // x²/2 = hi + lo exactly (fma), so exp(−x²/2) = exp(−hi)·(1 − lo) to float precision even where x² is large
            FloatVector hi = xv.mul(xv), lo = xv.fma(xv, hi.neg()).mul(0.5f);
            hi = hi.mul(0.5f);
            FloatVector gauss = exp(hi.neg()).mul(lo.neg().add(1f));
            FloatVector half = t.mul(exp(poly)).mul(gauss).mul(0.5f);  // ½·erfc(|x|/√2) = Φ(−|x|)
            FloatVector phi = FloatVector.broadcast(F, 1f).sub(half).blend(half, xv.compare(VectorOperators.LT, 0f));
            phi.intoByteBuffer(C, oc + b, ORDER);
            gauss.mul(INV_SQRT_2PI).intoByteBuffer(P, op + b, ORDER);
        }
        for (; i < n; i++) {  // the tail: the same float operations, one element at a time
            int b = 4 * i;
            float xi = X.getFloat(ox + b);
            float t = 1f / (Math.abs(xi) * (0.5f * INV_SQRT2) + 1f);
            float poly = ERFC[9];
            for (int k = 8; k >= 0; k--) poly = Math.fma(poly, t, ERFC[k]);
            float hi = xi * xi, lo = Math.fma(xi, xi, -hi) * 0.5f;
            hi = hi * 0.5f;
            float gauss = exp(-hi) * (1f - lo);
            float half = t * exp(poly) * gauss * 0.5f;
            C.putFloat(oc + b, xi < 0 ? half : 1f - half);
            P.putFloat(op + b, gauss * INV_SQRT_2PI);
        }
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
}
