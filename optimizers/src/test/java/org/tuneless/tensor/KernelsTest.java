package org.tuneless.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The fused kernels against their definition evaluated in float64 (within 2 ulps of the float64 result rounded to
 * float32), on views at an offset and lengths with a scalar tail. Each stored tensor is compared with the float64
 * evaluation of its formula on the float32 tensors it is computed from (the inputs, or the state the kernel stored just
 * before: P from the stored v, the direction from the stored m and P, as the reference path computes them); where a
 * formula adds two terms that may cancel, the bound is 2 ulps of the sum of their magnitudes.
 */
class KernelsTest {

    @Test void theTestJvmRunsTheFusedKernels() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector (parent pom); without it this suite would only test the fallback
        assertTrue(Kernels.fused(), Kernels.describe());
        assertTrue(Kernels.describe().contains("float lanes"), Kernels.describe());
    }

    /** A float32 view of length n at an offset into a larger buffer, filled with scale·N(0,1) (or |·| if positive). */
    private static INDArray view(Random r, int n, int offset, double scale, boolean positive) {
        float[] a = new float[n + offset + 3];
        for (int i = 0; i < a.length; i++) {
            double x = scale * r.nextGaussian();
            a[i] = (float) (positive ? Math.abs(x) : x);
        }
        return Nd4j.createFromArray(a).get(NDArrayIndex.interval(offset, offset + n));
    }

    private static float[] f(INDArray x) { return x.reshape(x.length()).toFloatVector(); }

    private static void within(double ulps, double expected, float actual, String what, int i) {
        float rounded = (float) expected;
        double err = Math.abs(actual - expected);
        assertTrue(err <= ulps * Math.ulp(rounded), () -> what + "[" + i + "]: " + actual + " vs float64 " + expected + " (" + err / Math.ulp(rounded) + " ulps)");
    }

    @Test void adamDirectionMatchesItsFloat64DefinitionToTwoUlps() {
        Random r = new Random(7);
        for (int n : new int[]{1, 15, 16, 1037, 40_000}) {
            for (int variant = 0; variant < 3; variant++) {  // plain, coupled L2 (Adam), decoupled decay (AdamW)
                double l2 = variant == 1 ? 1e-2 : 0, wd = variant == 2 ? 5e-2 : 0;
                double b1 = 0.9, b2 = 0.999, eps = 1e-8, t = 3, bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
                INDArray g = view(r, n, 5, 1e-2, false), w = view(r, n, 2, 0.5, false), m = view(r, n, 9, 1e-3, false),
                        v = view(r, n, 1, 1e-5, true), p = view(r, n, 3, 1, true), out = view(r, n, 4, 1, false);
                float[] g0 = f(g), w0 = f(w), m0 = f(m), v0 = f(v);
                assertTrue(Kernels.adamDirection(g, w, l2, m, v, p, out, b1, b2, bc1, bc2, eps, wd));
                float[] m1 = f(m), v1 = f(v), p1 = f(p), o1 = f(out);
                for (int i = 0; i < n; i++) {
                    // d = g + l2·w is a float32 tensor in the reference path too (decayedGradient): its correctly rounded value
                    double d = (float) (g0[i] + (double) (float) l2 * w0[i]);
                    double em = b1 * m0[i] + (1 - b1) * d, ev = b2 * v0[i] + (1 - b2) * d * d;
                    // m may cancel (β₁m ≈ −(1−β₁)d): its bound is 2 ulps of |β₁m| + |(1−β₁)d|, the usual bound of a float sum
                    double mScale = Math.abs(b1 * m0[i]) + Math.abs((1 - b1) * d);
                    final int k = i;
                    assertTrue(Math.abs(m1[i] - em) <= 2 * Math.ulp((float) mScale), () -> "m[" + k + "]: " + m1[k] + " vs " + em);
                    within(2, ev, v1[i], "v", i);
                    // P and the direction from the kernel's own stored m, v (the state the next step sees)
                    double ep = Math.sqrt(v1[i] / bc2) + eps;
                    within(2, ep, p1[i], "P", i);
                    // the direction from the stored P, as the reference path divides by the stored precond tensor; with
                    // decoupled decay the two terms may cancel, so the bound is 2 ulps of the sum of their magnitudes
                    double adam = m1[i] / (double) p1[i] / -bc1, decay = wd * w0[i];
                    double dScale = Math.abs(adam) + Math.abs(decay);
                    assertTrue(Math.abs(o1[i] - (adam - decay)) <= 2 * Math.ulp((float) dScale), () -> "direction[" + k + "]: " + o1[k] + " vs " + (adam - decay));
                }
            }
        }
    }

    @Test void adamStepIsTheDirectionAndAFusedAxpyInOnePass() {
        Random r = new Random(11);
        for (int n : new int[]{1, 15, 16, 1037, 40_000}) {
            for (int variant = 0; variant < 3; variant++) {  // plain, coupled L2 (Adam), decoupled decay (AdamW)
                double l2 = variant == 1 ? 1e-2 : 0, wd = variant == 2 ? 5e-2 : 0, lr = 3e-3;
                double b1 = 0.9, b2 = 0.999, eps = 1e-8, t = 4, bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
                INDArray g = view(r, n, 5, 1e-2, false), w = view(r, n, 2, 0.5, false), m = view(r, n, 9, 1e-3, false),
                        v = view(r, n, 1, 1e-5, true), p = view(r, n, 3, 1, true);
                INDArray w2 = w.dup(), m2 = m.dup(), v2 = v.dup(), p2 = p.dup(), out = Nd4j.createUninitialized(DataType.FLOAT, n);
                float[] w0 = f(w);
                // the direction kernel (bounded against float64 above), then w + lr·u as one fma per element
                assertTrue(Kernels.adamDirection(g, w2, l2, m2, v2, p2, out, b1, b2, bc1, bc2, eps, wd));
                assertTrue(Kernels.adamStep(g, w, l2, m, v, p, lr, b1, b2, bc1, bc2, eps, wd));
                assertArrayEquals(f(m2), f(m), "m, n = " + n);
                assertArrayEquals(f(v2), f(v), "v, n = " + n);
                assertArrayEquals(f(p2), f(p), "P, n = " + n);
                float[] u = f(out), w1 = f(w);
                for (int i = 0; i < n; i++) {
                    final int k = i;
                    float expected = Math.fma(u[i], (float) lr, w0[i]);
                    assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(w1[i]), () -> "w[" + k + "]: " + w1[k] + " vs " + expected);
                }
                assertTrue(java.util.stream.IntStream.range(0, n).anyMatch(i -> w1[i] != w0[i]), "the step moved w");
            }
        }
    }

    @Test void columnSumsAreTheRowOrderSumsOfEachColumn() {
        Random r = new Random(5);
        for (int rows : new int[]{1, 3, 128}) {
            for (int n : new int[]{1, 15, 16, 64, 65, 263}) {
                INDArray flat = view(r, rows * n, 7, 1, false), g = flat.reshape('c', rows, n), out = view(r, n, 2, 1, false);
                float[] a = f(g);
                assertTrue(Kernels.columnSums(g, rows, n, out));
                float[] sums = f(out);
                for (int j = 0; j < n; j++) {
                    float seq = a[j];
                    double exact = a[j], abs = Math.abs(a[j]);
                    for (int i = 1; i < rows; i++) {
                        seq += a[i * n + j];
                        exact += a[i * n + j];
                        abs += Math.abs(a[i * n + j]);
                    }
                    final int k = j;
                    final float s = seq;
                    // the rows summed in order in float32 (bit for bit), and so within rows·ε·Σ|g| of the exact sum
                    assertEquals(Float.floatToIntBits(seq), Float.floatToIntBits(sums[j]), () -> rows + "×" + n + " column " + k + ": " + sums[k] + " vs " + s);
                    assertTrue(Math.abs(sums[j] - exact) <= rows * Math.ulp(1f) * abs, rows + "×" + n + " column " + j);
                }
            }
        }
        // a column-major matrix is not what the kernel reads: the caller keeps its GEMM
        assertFalse(Kernels.columnSums(Nd4j.rand(DataType.FLOAT, new int[]{4, 8}, 'f'), 4, 8, Nd4j.zeros(DataType.FLOAT, 8)));
    }

    @Test void reluMaskIsStepTimesVBitForBit() {
        Random r = new Random(9);
        for (int n : new int[]{1, 15, 16, 33, 1037}) {
            INDArray x = view(r, n, 3, 1, false), v = view(r, n, 6, 2, false);
            // the edge cases in the vector body and in the tail: x = ±0, NaN; v = NaN, ±∞ where x ≤ 0 and where x > 0
            float[] xs = f(x), vs = f(v);
            int[] at = {0, n / 2, n - 1};
            for (int k = 0; k < at.length && at[k] < n; k++) {
                xs[at[k]] = k == 0 ? 0f : k == 1 ? -0f : Float.NaN;
                vs[at[k]] = k == 0 ? Float.NaN : k == 1 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            }
            if (n > 4) {
                xs[1] = 2f;
                vs[1] = Float.NaN;
            }
            x.assign(Nd4j.createFromArray(xs));
            v.assign(Nd4j.createFromArray(vs));
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n);
            assertTrue(Kernels.reluMask(x, v, out));
            float[] expected = f(org.nd4j.linalg.ops.transforms.Transforms.step(x, true).muli(v)), got = f(out);
            for (int i = 0; i < n; i++) {
                final int k = i;
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(got[i]), () -> "n = " + n + ", [" + k + "]: x " + xs[k] + ", v " + vs[k] + ": " + got[k] + " vs " + expected[k]);
            }
        }
    }

    @Test void gatherRowsCopiesTheRowsPullRowsWould() {
        Random r = new Random(12);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray src = view(r, 50 * 7, 4, 1, false).castTo(type).reshape('c', 50, 7), dst = Nd4j.zeros(type, 6, 7);
            int[] idx = {49, 0, 3, 3, 17, 48};
            assertTrue(Kernels.gatherRows(src, idx, dst));
            assertEquals(Nd4j.pullRows(src, 1, idx), dst, type.toString());
            int[] bad = {0, 50, 1, 2, 3, 4};
            org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> Kernels.gatherRows(src, bad, dst));
        }
        // a column-major source is left to pullRows
        assertFalse(Kernels.gatherRows(Nd4j.rand(DataType.FLOAT, new int[]{5, 3}, 'f'), new int[]{1}, Nd4j.zeros(DataType.FLOAT, 1, 3)));
    }

    @Test void fillRowsCopiesTheVectorIntoEveryRow() {
        Random r = new Random(21);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray b = view(r, 7, 3, 1, false).castTo(type), dst = Nd4j.zeros(type, 5, 7);
            assertTrue(Kernels.fillRows(b, dst));
            assertEquals(Nd4j.zeros(type, 5, 7).addiRowVector(b), dst, type.toString());
        }
        INDArray target = Nd4j.zeros(DataType.FLOAT, 4, 6);
        assertFalse(Kernels.fillRows(Nd4j.rand(DataType.FLOAT, 5), target), "length differs from the row width");
        assertFalse(Kernels.fillRows(Nd4j.rand(DataType.FLOAT, 6), Nd4j.zeros(DataType.FLOAT, 4, 6).dup('f')), "column-major");
        assertEquals(0.0, target.sumNumber().doubleValue(), 0.0);
    }

    /** ECCO-DNN's preconditioner pass equals its nine ND4J ops and amax bit for bit (body and tail, views at offsets). */
    @Test void eccoPreconditionIsItsNd4jOpsBitForBit() {
        Random r = new Random(23);
        for (int n : new int[] {1, 5, 16, 37, 1000}) {
            INDArray g = view(r, n, 2, 3, false), gp = view(r, n, 5, 3, false), vp = view(r, n, 1, 2, false);
            INDArray v = Nd4j.createUninitialized(DataType.FLOAT, n);
            double dtPrev = 0.37;
            float inf = (float) Kernels.eccoPrecondition(g, gp, vp, v, dtPrev).orElseThrow();
            INDArray q = g.dup().subi(gp).muli(g).divi(dtPrev);
            org.nd4j.linalg.ops.transforms.Transforms.max(q, 1.0, false);
            org.nd4j.linalg.ops.transforms.Transforms.sqrt(q, false);
            INDArray expectedV = g.dup().muli(q);
            assertArrayEquals(f(expectedV), f(v), 0f, "v, n=" + n);
            assertEquals(vp.sub(expectedV).amaxNumber().floatValue(), inf, 0f, "‖v_prev − v‖_∞, n=" + n);
            assertTrue(inf > 0, "n=" + n);
        }
    }

    /** min Δa/a over the finite ratios equals the ND4J ops' (division, NaN and ±∞ replaced by +∞, min); +∞ when none is finite. */
    @Test void minFiniteRatioSkipsZeroDenominators() {
        Random r = new Random(29);
        for (int n : new int[] {1, 7, 16, 53, 1000}) {
            INDArray num = view(r, n, 1, 1, false), den = view(r, n, 4, 1, false);
            for (int i = 0; i < n; i += 3) den.putScalar(i, 0f);            // x/0 = ±∞
            if (n > 1) num.putScalar(n - 1, 0f);
            if (n > 1) den.putScalar(n - 1, 0f);                          // 0/0 = NaN
            if (n > 5) { num.putScalar(4, -50f); den.putScalar(4, 1e-3f); } // the smallest, −5e4, in the body
            INDArray ratio = num.div(den);
            org.nd4j.linalg.indexing.BooleanIndexing.replaceWhere(ratio, Double.POSITIVE_INFINITY, org.nd4j.linalg.indexing.conditions.Conditions.isNan());
            org.nd4j.linalg.indexing.BooleanIndexing.replaceWhere(ratio, Double.POSITIVE_INFINITY, org.nd4j.linalg.indexing.conditions.Conditions.isInfinite());
            assertEquals(ratio.minNumber().doubleValue(), Kernels.minFiniteRatio(num, den).orElseThrow(), 0.0, "n=" + n);
        }
        assertEquals(Double.POSITIVE_INFINITY, Kernels.minFiniteRatio(Nd4j.ones(DataType.FLOAT, 20), Nd4j.zeros(DataType.FLOAT, 20)).orElseThrow(), "all x/0");
    }

    @Test void scheduleFreeAdamWMatchesItsFloat64DefinitionToTwoUlps() {
        Random r = new Random(11);
        for (int n : new int[]{1, 17, 1037, 40_000}) {
            for (double c : new double[]{1.0, 0.7, 0.3, 0.01}) {  // c = 1 at the first step; lerp weights on both sides of ½
                for (double wd : new double[]{0, 0.05}) {
                    double b2 = 0.999, eps = 1e-8, bc2 = 1 - Math.pow(b2, 4), lr = 2.5e-3, beta = 0.9;
                    double ay = lr * (beta * (1 - c) - 1), az = -lr;
                    INDArray g = view(r, n, 3, 1e-2, false), y = view(r, n, 6, 0.5, false), z = view(r, n, 1, 0.5, false),
                            v = view(r, n, 2, 1e-4, true);
                    float[] g0 = f(g), y0 = f(y), z0 = f(z), v0 = f(v);
                    assertTrue(Kernels.scheduleFreeAdamW(g, y, z, v, b2, bc2, eps, wd, c, ay, az));
                    float[] v1 = f(v), y1 = f(y), z1 = f(z);
                    for (int i = 0; i < n; i++) {
                        double ev = b2 * v0[i] + (1 - b2) * g0[i] * g0[i];
                        within(2, ev, v1[i], "v", i);
                        double gh = g0[i] / (Math.sqrt(v1[i] / bc2) + eps) + wd * y0[i];  // from the stored v, as the next pass reads it
                        double ey = y0[i] + c * (z0[i] - y0[i]) + ay * gh, ez = z0[i] + az * gh;
                        double yScale = Math.abs(y0[i]) + Math.abs(c) * (Math.abs(z0[i]) + Math.abs(y0[i])) + Math.abs(ay * gh);
                        double zScale = Math.abs(z0[i]) + Math.abs(az * gh);
                        final int k = i;
                        final double cc = c;
                        assertTrue(Math.abs(y1[i] - ey) <= 2 * Math.ulp((float) yScale), () -> "y[" + k + "] c=" + cc + ": " + y1[k] + " vs " + ey);
                        assertTrue(Math.abs(z1[i] - ez) <= 2 * Math.ulp((float) zScale), () -> "z[" + k + "] c=" + cc + ": " + z1[k] + " vs " + ez);
                    }
                }
            }
        }
    }

    @Test void prodigyMomentsAndStepMatchTheirFloat64Definitions() {
        Random r = new Random(5);
        for (int n : new int[]{3, 1037, 40_000}) {
            for (double l2 : new double[]{0, 0.01}) {
                double b1 = 0.9, b2 = 0.999, b3 = Math.sqrt(0.999), d = 2e-3, mc = d * (1 - b1), vc = d * d * (1 - b2), sc = 0.7 * d;
                INDArray g = view(r, n, 1, 1e-2, false), x = view(r, n, 4, 0.5, false), p0 = view(r, n, 2, 0.5, false),
                        m = view(r, n, 3, 1e-5, false), v = view(r, n, 5, 1e-9, true), s = view(r, n, 7, 1e-4, false);
                float[] g0 = f(g), x0 = f(x), p00 = f(p0), m0 = f(m), v0 = f(v), s0 = f(s);
                assertTrue(Kernels.appliesTo(g, x, p0, m, v, s));
                double[] sums = Kernels.prodigyMoments(g, x, l2, p0, m, v, s, b1, mc, b2, vc, b3, sc);
                float[] m1 = f(m), v1 = f(v), s1 = f(s);
                double dot = 0, dotScale = 0, abs = 0;
                for (int i = 0; i < n; i++) {
                    double gi = (float) (g0[i] + (double) (float) l2 * x0[i]);  // g is rounded to float32 in both paths
                    final int k = i;
                    double em = b1 * m0[i] + mc * gi, es = b3 * s0[i] + sc * gi;
                    assertTrue(Math.abs(m1[i] - em) <= 2 * Math.ulp((float) (Math.abs(b1 * m0[i]) + Math.abs(mc * gi))), () -> "m[" + k + "]");
                    assertTrue(Math.abs(s1[i] - es) <= 2 * Math.ulp((float) (Math.abs(b3 * s0[i]) + Math.abs(sc * gi))), () -> "s[" + k + "]");
                    within(2, b2 * v0[i] + vc * gi * gi, v1[i], "v", i);
                    dot += gi * ((double) p00[i] - x0[i]);
                    dotScale += Math.abs(gi * ((double) p00[i] - x0[i]));
                    abs += Math.abs(s1[i]);
                }
                // float lanes within blocks of 1,024, double across: relative error ~1e-7·√block of the magnitudes
                assertEquals(dot, sums[0], 1e-5 * dotScale, "Σ g·(p0 − x), n = " + n);
                assertEquals(abs, sums[1], 1e-5 * abs, "Σ|s|, n = " + n);
                // the step, from the stored m and v
                double dEps = d * 1e-8, coef = -1e-3, decay = l2 == 0 ? 0 : -1e-4;
                float[] xb = f(x);
                Kernels.prodigyStep(x, m, v, dEps, coef, decay);
                float[] x1 = f(x);
                for (int i = 0; i < n; i++) {
                    double xd = xb[i] + decay * xb[i], u = m1[i] / (Math.sqrt(v1[i]) + dEps);
                    double ex = xd + coef * u, scale = Math.abs(xb[i]) + Math.abs(decay * xb[i]) + Math.abs(coef * u);
                    final int k = i;
                    // ≤ 2 ulps of the magnitudes, plus the u term's own rounding (sqrt, add, divide ≈ 2 ulps of |coef·u|)
                    assertTrue(Math.abs(x1[i] - ex) <= 2 * Math.ulp((float) scale) + 3 * Math.ulp((float) Math.abs(coef * u)),
                            () -> "x[" + k + "]: " + x1[k] + " vs " + ex);
                }
            }
        }
    }

    /**
     * Φ and φ against float64 (C library erfc through ND4J, exp): over x ∈ [−13, 13] (Φ below 1e-38 is subnormal in
     * float32 and excluded) both are within {@code PHI_ULPS} float32 ulps — correctly rounded but for the erfc fit's
     * 2.1e-10 and float64 rounding (measured: Φ 0.50 ulps, φ 0.50; the float32 evaluation of Numerical Recipes' erfcc
     * before it reached 5.8 and 3.0). Also at the edges: ±0, ±∞, NaN, and the largest floats.
     */
    @Test void normalCdfAndPdfAreCorrectlyRoundedIntoTheTails() {
        int n = 26_001;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = -13 + 26.0 * i / (n - 1);
        INDArray x = Nd4j.createFromArray(xs).castTo(DataType.FLOAT), cdf = Nd4j.createUninitialized(DataType.FLOAT, n),
                pdf = Nd4j.createUninitialized(DataType.FLOAT, n);
        assertTrue(Kernels.normalCdfPdf(x, cdf, pdf));
        float[] xf = f(x), c = f(cdf), p = f(pdf);
        INDArray xd = Nd4j.createFromArray(xf).castTo(DataType.DOUBLE);
        INDArray erfc = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Erfc(xd.mul(-1 / Math.sqrt(2))));
        double[] ec = erfc.muli(0.5).toDoubleVector();
        double worstC = 0, worstP = 0;
        for (int i = 0; i < n; i++) {
            double ep = Math.exp(-0.5 * (double) xf[i] * xf[i]) / Math.sqrt(2 * Math.PI);
            if (ec[i] >= 1e-37) worstC = Math.max(worstC, Math.abs(c[i] - ec[i]) / Math.ulp((float) ec[i]));
            if (ep >= 1e-37) worstP = Math.max(worstP, Math.abs(p[i] - ep) / Math.ulp((float) ep));
        }
        System.out.printf("normalCdfPdf: worst Φ %.2f ulps, φ %.2f ulps%n", worstC, worstP);
        assertTrue(worstC <= PHI_ULPS, "Φ: " + worstC + " ulps");
        assertTrue(worstP <= PHI_ULPS, "φ: " + worstP + " ulps");
        // the edges, in the vector body and in the scalar tail (a length that is not a multiple of the lanes)
        float[] edge = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE, 40f, -40f};
        float[] wantC = {0.5f, 0.5f, 1f, 0f, Float.NaN, 1f, 0f, 1f, 0f}, wantP = {(float) (1 / Math.sqrt(2 * Math.PI)),
                (float) (1 / Math.sqrt(2 * Math.PI)), 0f, 0f, Float.NaN, 0f, 0f, 0f, 0f};
        for (int len : new int[]{edge.length, 64 + edge.length}) {
            float[] in = new float[len];
            for (int i = 0; i < len; i++) in[i] = edge[i % edge.length];
            INDArray ex = Nd4j.createFromArray(in), ec2 = Nd4j.createUninitialized(DataType.FLOAT, len), ep2 = Nd4j.createUninitialized(DataType.FLOAT, len);
            assertTrue(Kernels.normalCdfPdf(ex, ec2, ep2));
            float[] gc = f(ec2), gp = f(ep2);
            for (int i = 0; i < len; i++) {
                assertEquals(wantC[i % edge.length], gc[i], "Φ(" + in[i] + ")");
                assertEquals(wantP[i % edge.length], gp[i], "φ(" + in[i] + ")");
            }
        }
    }

    private static final double PHI_ULPS = 0.51;

    /**
     * The kernels' float64 exp (used by Φ and φ): within 4 float64 ulps of StrictMath.exp (fdlibm, itself within 1 ulp;
     * measured 3.0: the Taylor polynomial's Horner rounding, ~1e-16 relative, where Φ and φ need ~1e-9) from
     * −708 up, 0 below, and the vector lanes give the scalar version's bits — the same operations, so the result does
     * not depend on which of the two (or the Vector API's interpreted fallback) runs.
     */
    @Test void theKernelExpIsWithinFourUlpsAndTheSameInVectorAndScalarForm() {
        int n = 400_000;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = -710 + 1419.0 * i / (n - 1);
        for (int i = 0; i < 20_000; i++) xs[4 + i] = -1 + 2.0 * i / 19_999;  // the reduced range itself, densely
        xs[0] = Double.NaN;
        xs[1] = -708;
        xs[2] = 0;
        xs[3] = -0.0;
        var species = jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED;
        double worst = 0;
        for (int i = 0; i + species.length() <= n; i += species.length()) {
            double[] lanes = new double[species.length()];
            VectorKernels.exp(jdk.incubator.vector.DoubleVector.fromArray(species, xs, i)).intoArray(lanes, 0);
            for (int j = 0; j < lanes.length; j++) {
                double x = xs[i + j], scalar = VectorKernels.exp(x);
                final int k = i + j;
                assertEquals(Double.doubleToLongBits(scalar), Double.doubleToLongBits(lanes[j]), () -> "exp(" + xs[k] + "): vector vs scalar");
                if (Double.isNaN(x)) {
                    assertTrue(Double.isNaN(scalar));
                } else if (x < -708) {
                    assertEquals(0.0, scalar, "exp(" + x + ") below −708");
                } else {
                    double e = StrictMath.exp(x);
                    worst = Math.max(worst, Math.abs(scalar - e) / Math.ulp(e));
                }
            }
        }
        System.out.printf("kernel exp (float64): worst %.2f ulps%n", worst);
        assertTrue(worst <= 4.0, "exp: " + worst + " ulps");
        assertEquals(1.0, VectorKernels.exp(0.0));
    }

    /** Rows of logits: N(0, 3²), some shifted by ±1000, one constant row, one spanning 2,000 (underflowing exps). */
    private static float[][] logitRows(Random r, int rows, int k) {
        float[][] y = new float[rows][k];
        for (int i = 0; i < rows; i++) {
            double shift = i % 3 == 1 ? 1000 : i % 3 == 2 ? -1000 : 0;
            for (int j = 0; j < k; j++) y[i][j] = (float) (shift + 3 * r.nextGaussian());
        }
        if (rows > 2) java.util.Arrays.fill(y[rows - 1], 0.25f);
        if (rows > 3 && k > 1) y[rows - 2][k - 1] = y[rows - 2][0] - 2000;
        return y;
    }

    /**
     * Softmax cross-entropy on row widths with and without a scalar tail (1, 3, 10 — the classifiers' —, 16, 97) and
     * one-hot and soft targets: p within 1 ulp of the float64 softmax rounded (it is rounded once from float64), the
     * summed loss within 1e-12 of Σ|terms|, both against a float64 evaluation of logsumexp(y) − t·y with Math.exp.
     */
    @Test void softmaxCrossEntropyMatchesFloat64() {
        Random r = new Random(13);
        for (int k : new int[] {1, 3, 10, 16, 97}) {
            int rows = 7;
            float[][] yv = logitRows(r, rows, k), tv = new float[rows][k];
            for (int i = 0; i < rows; i++) {
                if (i % 2 == 0) tv[i][r.nextInt(k)] = 1;
                else {  // a soft target row
                    double z = 0;
                    for (int j = 0; j < k; j++) z += tv[i][j] = r.nextFloat();
                    for (int j = 0; j < k; j++) tv[i][j] /= (float) z;
                }
            }
            INDArray y = Nd4j.createFromArray(yv), t = Nd4j.createFromArray(tv), p = Nd4j.createUninitialized(DataType.FLOAT, rows, k);
            double total = Kernels.softmaxCrossEntropy(y, t, p).orElseThrow();
            double expected = 0, magnitude = 0;
            for (int i = 0; i < rows; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0, ty = 0;
                for (float v : yv[i]) max = Math.max(max, v);
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(yv[i][j] - max);
                    ty += (double) tv[i][j] * yv[i][j];
                }
                double lse = max + Math.log(sum);
                expected += lse - ty;
                magnitude += Math.abs(lse) + Math.abs(ty);
                for (int j = 0; j < k; j++) within(1, Math.exp(yv[i][j] - max) / sum, p.getFloat(i, j), "softmax k=" + k + " row " + i, j);
            }
            assertEquals(expected, total, 1e-12 * magnitude, "Σ loss, k=" + k);
        }
    }

    /**
     * The softmax cross-entropy's Hessian-vector product p ⊙ (ẏ − pᵀẏ)/B against float64 from the same float32 p
     * and ẏ: within 2 ulps of the magnitudes of its two terms (p·ẏ and p·pᵀẏ may cancel).
     */
    @Test void softmaxHessianTimesMatchesFloat64() {
        Random r = new Random(17);
        for (int k : new int[] {1, 3, 10, 16, 97}) {
            int rows = 6;
            INDArray y = Nd4j.createFromArray(logitRows(r, rows, k)), p = Nd4j.createUninitialized(DataType.FLOAT, rows, k);
            Kernels.softmaxCrossEntropy(y, Nd4j.zeros(DataType.FLOAT, rows, k), p).orElseThrow();
            INDArray dy = Nd4j.randn(DataType.FLOAT, rows, k), out = Nd4j.createUninitialized(DataType.FLOAT, rows, k);
            assertTrue(Kernels.softmaxHessianTimes(p, dy, 128, out));
            for (int i = 0; i < rows; i++) {
                double s = 0, sa = 0;
                for (int j = 0; j < k; j++) {
                    s += (double) p.getFloat(i, j) * dy.getFloat(i, j);
                    sa += Math.abs((double) p.getFloat(i, j) * dy.getFloat(i, j));
                }
                for (int j = 0; j < k; j++) {
                    double pj = p.getFloat(i, j), dj = dy.getFloat(i, j);
                    double exact = pj * (dj - s) / 128, scale = (Math.abs(pj * dj) + pj * sa) / 128;
                    float got = out.getFloat(i, j);
                    int ii = i, jj = j;
                    assertTrue(Math.abs(got - exact) <= 2 * Math.ulp((float) scale) + Double.MIN_VALUE,
                            () -> "Hv k=" + k + " [" + ii + "," + jj + "]: " + got + " vs float64 " + exact);
                }
            }
        }
    }

    /** (a − b)/d is ND4J's a.sub(b).divi(d) bit for bit (float32 body and tail, views at an offset). */
    @Test void differenceOverIsSubThenDivideBitForBit() {
        Random r = new Random(19);
        for (int n : new int[] {1, 5, 16, 37, 1000}) {
            INDArray a = view(r, n, 3, 2, false), b = view(r, n, 1, 2, false), out = Nd4j.createUninitialized(DataType.FLOAT, n);
            assertTrue(Kernels.differenceOver(a, b, 96, out));
            assertArrayEquals(f(a.sub(b).divi(96)), f(out), 0f, "n=" + n);
        }
    }

    @Test void theKernelLeavesWhatItDoesNotApplyToForTheReferencePath() {
        INDArray d = Nd4j.rand(DataType.DOUBLE, 8);
        INDArray[] xs = {d, d.dup(), d.dup(), d.dup(), d.dup(), d.dup()};
        double[] before = d.toDoubleVector();
        assertFalse(Kernels.adamDirection(xs[0], xs[1], 0, xs[2], xs[3], xs[4], xs[5], 0.9, 0.999, 0.1, 0.001, 1e-8, 0), "float64 keeps its exact path");
        INDArray dm = Nd4j.rand(DataType.DOUBLE, 4, 8);
        assertTrue(Kernels.softmaxCrossEntropy(dm, dm.dup(), dm.dup()).isEmpty(), "float64 logits keep the ND4J ops");
        INDArray fm = Nd4j.rand(DataType.FLOAT, 4, 8), fOrder = fm.dup('f');
        assertTrue(Kernels.softmaxCrossEntropy(fOrder, fOrder.dup('f'), fOrder.dup('f')).isEmpty(), "column-major rows are not rows");
        assertFalse(Kernels.softmaxHessianTimes(fm, Nd4j.rand(DataType.FLOAT, 8, 4), 4, fm.dup()), "shapes differ");
        assertArrayEquals(before, xs[2].toDoubleVector(), 0.0);
        INDArray grid = Nd4j.rand(DataType.FLOAT, 8, 8);
        INDArray column = grid.getColumn(3);  // element-wise stride 8
        assertFalse(Kernels.contiguousFloats(column, Nd4j.rand(DataType.FLOAT, 8)));
        assertFalse(Kernels.contiguousFloats(grid, Nd4j.rand(DataType.FLOAT, 8, 8).dup('f')), "two element orders");
        assertTrue(Kernels.contiguousFloats(grid.getRow(2), Nd4j.rand(DataType.FLOAT, 8)));
        assertFalse(Kernels.contiguousFloats(Nd4j.rand(DataType.FLOAT, 8), Nd4j.rand(DataType.FLOAT, 9)));
        assertEquals(8, column.length());
    }

    /**
     * Batch norm with batch statistics, forward and backward, against float64 on shapes whose hw has a scalar tail (7×7)
     * and has none (4×4), channels offset so that a one-pass variance would lose digits: μ, σ², s within 1e-6 relative;
     * x̂ and y within 2e-6·(1 + |μ|·s) — the float32 rounding of x − μ; the parameter gradients within 1e-6 of Σ|terms|;
     * the input gradient within 2e-6 of the magnitudes of its terms.
     */
    @Test void batchNormMatchesFloat64() {
        Random r = new Random(11);
        for (long[] shape : new long[][]{{3, 5, 7, 7}, {4, 3, 4, 4}}) {
            int n = (int) shape[0], c = (int) shape[1], hw = (int) (shape[2] * shape[3]), len = n * c * hw;
            float[] xs = new float[len], gys = new float[len], gs = new float[c], bs = new float[c];
            for (int i = 0; i < len; i++) {
                int ch = (i / hw) % c;
                xs[i] = (float) (3 * ch + (0.5 + ch) * r.nextGaussian());
                gys[i] = (float) r.nextGaussian();
            }
            for (int ch = 0; ch < c; ch++) {
                gs[ch] = (float) (1 + 0.3 * r.nextGaussian());
                bs[ch] = (float) r.nextGaussian();
            }
            INDArray x = Nd4j.createFromArray(xs).reshape(shape), g = Nd4j.createFromArray(gs), b = Nd4j.createFromArray(bs);
            INDArray xhat = Nd4j.createUninitialized(DataType.FLOAT, shape), y = Nd4j.createUninitialized(DataType.FLOAT, shape);
            INDArray sc = Nd4j.createUninitialized(DataType.FLOAT, 1, c, 1, 1), mu = Nd4j.createUninitialized(DataType.FLOAT, 1, c, 1, 1),
                    var = Nd4j.createUninitialized(DataType.FLOAT, 1, c, 1, 1);
            assertTrue(Kernels.batchNormForward(x, n, c, hw, g, b, 1e-5, xhat, sc, mu, var, y));
            INDArray gy = Nd4j.createFromArray(gys).reshape(shape), gx = Nd4j.createUninitialized(DataType.FLOAT, shape);
            INDArray gradG = Nd4j.createUninitialized(DataType.FLOAT, c), gradB = Nd4j.createUninitialized(DataType.FLOAT, c);
            assertTrue(Kernels.batchNormBackward(gy, xhat, sc, n, c, hw, g, gradG, gradB, gx));
            float[] h = f(xhat), yy = f(y), s1 = f(sc), m1 = f(mu), v1 = f(var), gxs = f(gx), gg = f(gradG), gb = f(gradB);
            for (int ch = 0; ch < c; ch++) {
                double sum = 0, sq = 0;
                for (int e = 0; e < n; e++) for (int j = 0; j < hw; j++) sum += xs[(e * c + ch) * hw + j];
                double m = sum / (n * hw);
                for (int e = 0; e < n; e++) for (int j = 0; j < hw; j++) sq += Math.pow(xs[(e * c + ch) * hw + j] - m, 2);
                double v = sq / (n * hw), s = 1 / Math.sqrt(v + 1e-5);
                assertEquals(m, m1[ch], 1e-6 * Math.abs(m) + 1e-7, "μ[" + ch + "]");
                assertEquals(v, v1[ch], 1e-6 * v, "σ²[" + ch + "]");
                assertEquals(s, s1[ch], 1e-6 * s, "s[" + ch + "]");
                double tol = 2e-6 * (1 + Math.abs(m) * s);
                double sGy = 0, sGyH = 0, absGy = 0, absGyH = 0;
                for (int e = 0; e < n; e++) for (int j = 0; j < hw; j++) {
                    int i = (e * c + ch) * hw + j;
                    double hd = (xs[i] - m) * s;
                    assertEquals(hd, h[i], tol, "x̂[" + i + "]");
                    assertEquals(gs[ch] * hd + bs[ch], yy[i], tol * (1 + Math.abs(gs[ch])) + 1e-6 * Math.abs(bs[ch]), "y[" + i + "]");
                    sGy += gys[i];
                    sGyH += gys[i] * (double) h[i];
                    absGy += Math.abs(gys[i]);
                    absGyH += Math.abs(gys[i] * h[i]);
                }
                assertEquals(sGy, gb[ch], 1e-6 * absGy, "gradient of b[" + ch + "]");
                assertEquals(sGyH, gg[ch], 1e-6 * absGyH, "gradient of g[" + ch + "]");
                double k = (double) s1[ch] * gs[ch], K = n * hw;
                for (int e = 0; e < n; e++) for (int j = 0; j < hw; j++) {
                    int i = (e * c + ch) * hw + j;
                    double want = k * (gys[i] - sGy / K - h[i] * sGyH / K);
                    double mag = Math.abs(k) * (Math.abs(gys[i]) + Math.abs(sGy / K) + Math.abs(h[i] * sGyH / K));
                    assertEquals(want, gxs[i], 2e-6 * mag + 1e-7, "gx[" + i + "]");
                }
            }
        }
    }

    /** The BatchNorm layer with the kernels and with its ND4J-op path: the same forward, gradients and running statistics. */
    @Test void batchNormLayerFusedEqualsItsReferencePath() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 4, 5, 5).muli(2).addi(1), gy = Nd4j.randn(DataType.FLOAT, 6, 4, 5, 5);
        INDArray[] theta = {Nd4j.randn(DataType.FLOAT, 4).addi(1), Nd4j.randn(DataType.FLOAT, 4)};
        float[][] out = new float[2][], gx = new float[2][], gg = new float[2][], gb = new float[2][];
        double[][] running = new double[2][];
        for (int k = 0; k < 2; k++) {
            org.tuneless.nn.BatchNorm bn = new org.tuneless.nn.BatchNorm();
            bn.bind(new long[]{4, 5, 5});
            INDArray[] grads = {Nd4j.zeros(DataType.FLOAT, 4), Nd4j.zeros(DataType.FLOAT, 4)};
            java.util.function.Supplier<INDArray[]> pass = () -> new INDArray[]{bn.forward(x, theta), bn.backward(gy, theta, grads, true)};
            INDArray[] r = k == 0 ? pass.get() : Kernels.referenceOnly(pass);
            out[k] = f(r[0]);
            gx[k] = f(r[1]);
            gg[k] = f(grads[0]);
            gb[k] = f(grads[1]);
            running[k] = bn.buffers().get(1).toDoubleVector();
        }
        for (int i = 0; i < out[0].length; i++) {
            assertEquals(out[1][i], out[0][i], 2e-6 * (1 + Math.abs(out[1][i])), "y[" + i + "]");
            assertEquals(gx[1][i], gx[0][i], 1e-5 * (1 + Math.abs(gx[1][i])), "gx[" + i + "]");
        }
        for (int ch = 0; ch < 4; ch++) {
            assertEquals(gg[1][ch], gg[0][ch], 1e-5 * (1 + Math.abs(gg[1][ch])), "gradient of g");
            assertEquals(gb[1][ch], gb[0][ch], 1e-5 * (1 + Math.abs(gb[1][ch])), "gradient of b");
            assertEquals(running[1][ch], running[0][ch], 1e-6 * running[1][ch], "running variance");
        }
    }
}
