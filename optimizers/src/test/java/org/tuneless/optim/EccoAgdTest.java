package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;
import org.tuneless.objective.Rosenbrock;
import org.tuneless.tensor.Vectors;

/**
 * ECCO-DNN (Fiscko et al., arXiv 2310.13901) and AGD (Bernstein et al., arXiv 2304.05187, Algorithm 1) against
 * hand-computed expected numbers (docs/methods.md §1.7, §2.6).
 */
class EccoAgdTest {

    /** f(w) = cᵀw: a gradient of our choosing, constant everywhere. */
    static final class Linear implements Objective {
        final INDArray w, c;

        Linear(INDArray c) {
            this.c = c;
            this.w = Nd4j.zeros(DataType.DOUBLE, c.length());
        }

        @Override public INDArray parameters() { return w; }
        @Override public double loss() { return Vectors.dot(c, w); }
        @Override public double lossAndGradient(INDArray out) { out.assign(c); return loss(); }
        @Override public void hvp(INDArray v, INDArray out) { out.assign(0); }
        @Override public double curvatureAlong(INDArray u) { return 0; }
    }

    static List<double[]> eccoSteps(Objective f, double eta, int k, List<StepResult> results) {
        return OptimizerTesting.run(new EccoDnn(eta, 0.01, true, false), f, k, results);
    }

    @Test void eccoFirstThreeStepsOnTheQuadraticMatchTheOfficialCodeIncludingTheStepCap() {
        List<StepResult> r = new ArrayList<>();
        List<double[]> w = eccoSteps(OptimizerTesting.quadratic(), 0.3, 3, r);
        assertArrayEquals(new double[]{0.99, 0.9}, w.get(0), 1e-12);
        assertEquals(0.01, r.get(0).diagnostics().get("ecco.dt/w"), 1e-15);
        assertArrayEquals(new double[]{0.495, -3.6}, w.get(1), 1e-12);
        assertEquals(0.5, r.get(1).diagnostics().get("ecco.dt/w"), 0);
        assertEquals(1.0, r.get(1).diagnostics().get("ecco.cap_fraction"), 0, "step 2 hits the 0.5 cap");
        assertEquals(2.915231023e-4, r.get(2).diagnostics().get("ecco.dt/w"), 1e-12);
        assertArrayEquals(new double[]{0.4948556961, -3.002623708}, w.get(2), 1e-9);
        assertEquals(0.0, r.get(2).diagnostics().get("ecco.cap_fraction"), 0);
        // η = 0.1: step 2 has Δt = 0.2 and w = (0.792, −0.9)
        List<double[]> w01 = eccoSteps(OptimizerTesting.quadratic(), 0.1, 2, null);
        assertArrayEquals(new double[]{0.792, -0.9}, w01.get(1), 1e-12);
    }

    @Test void eccoFirstTwoStepsOnRosenbrockMatchTheOfficialCode() {
        List<StepResult> r = new ArrayList<>();
        List<double[]> w = eccoSteps(Rosenbrock.standard(), 0.3, 2, r);
        assertArrayEquals(new double[]{0.956, 1.88}, w.get(0), 1e-12);
        assertEquals(6.810547628e-7, r.get(1).learningRate(), 1e-15);
        assertArrayEquals(new double[]{1.556146835, 1.573272003}, w.get(1), 1e-8);
    }

    @Test void eccoStepNeverExceedsTheCapAndIsAGradientStepWhenGradientsShrink() {
        // Δt ≤ 0.5 always; with q ≤ 1 everywhere (shrinking gradients) the update is GD with step min(2η/‖Δg‖∞, 0.5)
        Quadratic f = Quadratic.diagonal(new double[]{0.1, 0.2}, 1, 1);
        List<StepResult> r = new ArrayList<>();
        List<double[]> w = eccoSteps(f, 0.3, 6, r);
        for (StepResult s : r) assertTrue(s.learningRate() <= EccoDnn.STEP_CAP);
        // step 2 by hand: g₁ = (0.0999, 0.1996); Δg∞ = 0.0004·… → Δt = min(0.6/0.0004, 0.5) = 0.5
        double[] w1 = w.get(0);
        assertArrayEquals(new double[]{w1[0] - 0.5 * 0.1 * w1[0], w1[1] - 0.5 * 0.2 * w1[1]}, w.get(1), 1e-12);
    }

    @Test void eccoLimiterFactorInReferenceAndSignCrossingModesIgnoresZeroPreActivations() {
        INDArray a = Nd4j.createFromArray(1.0, -2.0, 4.0), da = Nd4j.createFromArray(-2.0, 1.0, 1.0);
        assertEquals(0.5, EccoDnn.limiterFactor(a, da, true), 1e-15);
        assertEquals(0.5, EccoDnn.limiterFactor(a, da, false), 1e-15);
        // nothing crosses zero (ratios 4 and 8): the reference still shrinks, δ = 1/4; the default does not
        INDArray noCross = Nd4j.createFromArray(4.0, 8.0);
        assertEquals(0.25, EccoDnn.limiterFactor(Nd4j.createFromArray(1.0, 1.0), noCross, true), 1e-15);
        assertEquals(1.0, EccoDnn.limiterFactor(Nd4j.createFromArray(1.0, 1.0), noCross, false), 1e-15);
        // a zero pre-activation is ignored, not a NaN
        assertEquals(1.0, EccoDnn.limiterFactor(Nd4j.createFromArray(0.0, 1.0), Nd4j.createFromArray(1.0, 0.5), false), 1e-15);
        // … also when its change is negative (ratio −∞ would otherwise give δ = 0 and freeze the layer)
        assertEquals(0.5, EccoDnn.limiterFactor(Nd4j.createFromArray(0.0, 1.0), Nd4j.createFromArray(-1.0, -2.0), false), 1e-15);
    }

    @Test void perTensorStateDiffersFromTheSharedScalarOnlyWithSeveralTensors() {
        // Rosenbrock with x and y as two tensors: from step 3 on, the shared Δt_prev (the other tensor's last step)
        // differs from each tensor's own, and both gradients grow (q > 1) so it matters
        ParameterLayout two = new ParameterLayout(List.of(new ParameterTensor("a", "a", new long[]{1}, 0, ParamRole.WEIGHT, 1, 1),
                new ParameterTensor("b", "b", new long[]{1}, 1, ParamRole.WEIGHT, 1, 1)));
        double[][] end = new double[2][];
        for (int mode = 0; mode < 2; mode++) {
            Rosenbrock f = Rosenbrock.standard();
            EccoDnn ecco = new EccoDnn(0.3, 0.01, mode == 1, false);
            INDArray g = Nd4j.zeros(DataType.DOUBLE, 2);
            OptimizerState state = ecco.init(two, DataType.DOUBLE);
            for (int t = 0; t < 3; t++) ecco.step(new StepContext(t, f, g, f.lossAndGradient(g), two), state);
            end[mode] = f.parameters().toDoubleVector();
        }
        assertTrue(Math.abs(end[0][0] - end[1][0]) + Math.abs(end[0][1] - end[1][1]) > 1e-6,
                "per-tensor " + java.util.Arrays.toString(end[0]) + " vs shared " + java.util.Arrays.toString(end[1]));
        // with a single tensor both modes are the reference code
        List<double[]> single = OptimizerTesting.run(new EccoDnn(0.3, 0.01, false, false), OptimizerTesting.quadratic(), 5, null);
        List<double[]> reference = eccoSteps(OptimizerTesting.quadratic(), 0.3, 5, null);
        assertArrayEquals(reference.get(4), single.get(4), 0);
    }

    @Test void agdLearningRateIsThePositiveRootOfExpEtaTimesExpEtaMinusOneEqualsG() {
        double[][] table = {{0, 0}, {1e-3, 9.985033246e-4}, {0.1, 0.08765181865}, {1, 0.4812118251}, {2, Math.log(2)}, {100, 2.352564283}};
        for (double[] row : table) {
            double eta = Agd.learningRate(row[0]);
            assertEquals(row[1], eta, 1e-9, "G = " + row[0]);
            assertEquals(row[0], Math.exp(eta) * (Math.exp(eta) - 1), 1e-9 * Math.max(1, row[0]));
        }
    }

    static ParameterLayout layout(long[]... shapes) {
        List<ParameterTensor> ts = new ArrayList<>();
        long off = 0;
        for (int i = 0; i < shapes.length; i++) {
            long[] s = shapes[i];
            long n = 1;
            for (long d : s) n *= d;
            // dense weights are stored (in, out); a 4-D conv weight is (out, in, k, k)
            long fanIn = s.length == 4 ? s[1] : s[0], fanOut = s.length == 4 ? s[0] : s[1];
            ts.add(new ParameterTensor("t" + i, "l" + i, s, off, ParamRole.WEIGHT, fanIn, fanOut));
            off += n;
        }
        return new ParameterLayout(ts);
    }

    /** A gradient whose tensor i is constant with Frobenius norm norms[i] (4-D: each slice has norm norms[i]). */
    static INDArray gradient(ParameterLayout l, double... norms) {
        INDArray g = Nd4j.zeros(DataType.DOUBLE, l.size());
        for (int i = 0; i < norms.length; i++) {
            ParameterTensor t = l.tensors().get(i);
            long per = t.shape().length == 4 ? t.shape()[0] * t.shape()[1] : t.length();
            ParameterLayout.view(g, t).assign(norms[i] / Math.sqrt(per));
        }
        return g;
    }

    static StepResult agdStep(ParameterLayout l, INDArray g, INDArray[] updates) {
        Linear f = new Linear(g);
        Agd agd = new Agd();
        StepResult r = agd.step(new StepContext(0, f, g, 0, l), agd.init(l, g.dataType()));
        for (int i = 0; i < updates.length; i++) updates[i] = ParameterLayout.view(f.parameters(), l.tensors().get(i));
        return r;
    }

    @Test void agdTwoLayerUpdatesHaveNormEtaOverDepthTimesScaleAndIgnoreGradientScale() {
        ParameterLayout l = layout(new long[]{2, 3}, new long[]{3, 1});  // W₁ ∈ R^{3×2}, W₂ ∈ R^{1×3}
        assertEquals(1.224744871, Agd.scale(l.tensors().get(0)), 1e-9);
        assertEquals(0.5773502692, Agd.scale(l.tensors().get(1)), 1e-9);
        INDArray[] u = new INDArray[2];
        StepResult r = agdStep(l, gradient(l, 0.5, 0.2), u);
        assertEquals(0.3639212448, r.diagnostics().get("agd.G"), 1e-9);
        assertEquals(0.249615081, r.learningRate(), 1e-9);
        assertEquals(0.1528573951, Vectors.norm(u[0]), 1e-9);
        assertEquals(0.0720576671, Vectors.norm(u[1]), 1e-9);
        // ten times the gradients: G and η change, the update directions do not
        INDArray[] u10 = new INDArray[2];
        StepResult r10 = agdStep(l, gradient(l, 5, 2), u10);
        assertTrue(r10.learningRate() > r.learningRate());
        assertEquals(1.0, Vectors.dot(u[0], u10[0]) / (Vectors.norm(u[0]) * Vectors.norm(u10[0])), 1e-12);
    }

    @Test void agdNormalizesEachConvSliceSeparately() {
        // PyTorch shapes (16, 8), (4, 2, 3, 3), (10, 16); dense weights here are stored (in, out)
        ParameterLayout l = layout(new long[]{8, 16}, new long[]{4, 2, 3, 3}, new long[]{16, 10});
        assertEquals(0.4714045208, Agd.scale(l.tensors().get(1)), 1e-9);
        INDArray g = gradient(l, 0.3, 0.1, 0.05);
        INDArray conv = ParameterLayout.view(g, l.tensors().get(1));
        INDArray[] u = new INDArray[3];
        StepResult r = agdStep(l, g, u);
        assertEquals(0.2960188694, r.diagnostics().get("agd.G"), 1e-9);
        assertEquals(0.2142488273, r.learningRate(), 1e-9);
        for (long i = 0; i < 3; i++) {
            for (long j = 0; j < 3; j++) {
                INDArray slice = u[1].get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.point(j));
                assertEquals(0.03366595525, slice.norm2Number().doubleValue(), 1e-9, "slice " + i + "," + j);
            }
        }
        assertTrue(conv.length() == 72);
    }

    @Test void agdInitializationGivesEveryMatrixSingularValuesEqualToItsScale() {
        Network net = Models.mlpBuilder(Models.Activation.RELU, true, Init.HE, 6, 4, 4, 3).build(DataType.DOUBLE, 0);
        Agd.initialize(net, 0);
        for (ParameterTensor t : net.layout().tensors()) {
            INDArray w = ParameterLayout.view(net.parameters(), t);
            if (t.role() != ParamRole.WEIGHT) {
                assertEquals(0.0, w.amaxNumber().doubleValue(), 0, "biases start at zero");
                continue;
            }
            double s2 = (double) t.fanOut() / t.fanIn();
            INDArray gram = t.fanIn() >= t.fanOut() ? w.transpose().mmul(w) : w.mmul(w.transpose());
            assertTrue(Vectors.norm(gram.sub(Nd4j.eye(gram.rows()).castTo(DataType.DOUBLE).muli(s2))) < 1e-12, t.name());
        }
    }

    @Test void agdZeroGradientGivesAZeroUpdateWithoutNaN() {
        ParameterLayout l = layout(new long[]{2, 3}, new long[]{3, 1});
        INDArray[] u = new INDArray[2];
        StepResult r = agdStep(l, gradient(l, 0.5, 0.0), u);
        assertEquals(0.0, Vectors.norm(u[1]), 0);
        assertTrue(Double.isFinite(Vectors.norm(u[0])) && Vectors.norm(u[0]) > 0);
        INDArray[] none = new INDArray[2];
        StepResult zero = agdStep(l, gradient(l, 0, 0), none);
        assertEquals(0.0, zero.learningRate(), 0);
        assertEquals(0.0, Vectors.norm(none[0]) + Vectors.norm(none[1]), 0);
    }
}
