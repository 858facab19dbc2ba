package org.tuneless.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Init;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Objective;
import org.tuneless.objective.Quadratic;
import org.tuneless.objective.Rosenbrock;
import org.tuneless.tensor.Vectors;

/** Every estimator against an exact answer: quadratics with chosen spectra and the dense Hessian of a small MLP. */
class CurvatureEstimatorsTest {

    static final double[] SPECTRUM = {10, 9.999, 7, 5, 3, 2, 1, 0.5, 0.25, 0.1, 0, -0.5, -1, -3, 4, 6, 8, 1.5, 2.5, 3.5};

    static double[] sortedDescending(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length / 2; i++) {
            double t = s[i];
            s[i] = s[s.length - 1 - i];
            s[s.length - 1 - i] = t;
        }
        return s;
    }

    @Test void powerIterationFindsTheDominantEigenvalueWithItsSign() {
        Quadratic q = Quadratic.rotated(SPECTRUM, 1);
        SharpnessEstimate s = PowerIteration.builder().tolerance(1e-12).maxIterations(20000).seed(3).build().run(q);
        // near-degenerate top pair 10, 9.999: the Rayleigh quotient lies between them however far it has converged
        assertTrue(s.eigenvalue() > 9.999 - 1e-9 && s.eigenvalue() <= 10 + 1e-9, "λ = " + s.eigenvalue());
        Quadratic negative = Quadratic.rotated(new double[]{-12, 10, 3, 1, -2}, 2);
        assertEquals(-12.0, PowerIteration.builder().tolerance(1e-12).maxIterations(5000).build().run(negative).eigenvalue(), 1e-6);
        // signed dominant eigenvalue (docs/methods.md §6.2): diag(1, −5) → ≈ −5
        assertEquals(-5.0, Curvature.sharpness(Quadratic.diagonal(new double[]{1, -5}, 1, 1)).eigenvalue(), 5e-3 * 5);
    }

    @Test void shiftedIterationFindsTheOtherEnd() {
        Quadratic q = Quadratic.rotated(new double[]{10, 6, 3, 1, -2}, 4);
        SharpnessEstimate top = PowerIteration.builder().tolerance(1e-12).maxIterations(5000).build().run(q);
        SharpnessEstimate bottom = PowerIteration.builder().tolerance(1e-12).maxIterations(5000).shift(top.eigenvalue()).build().run(HessianOperator.of(q));
        assertEquals(-2.0, bottom.eigenvalue(), 1e-6);
    }

    @Test void powerIterationOnRosenbrockStopsWithinTheRelativeTolerance() {
        Rosenbrock r = Rosenbrock.standard();
        SharpnessEstimate s = PowerIteration.defaults().run(HessianOperator.of(r), Nd4j.createFromArray(1.0, 1.0));
        // exact λmax of [[1330, 480], [480, 200]] is 1506.366981; the paper's stopping rule (1e-3 relative change) stops early
        assertEquals(1506.366981, s.eigenvalue(), 1e-3 * 1506.37);
        assertTrue(s.hvps() >= 2 && s.hvps() <= 20, "hvps " + s.hvps());
    }

    @Test void lanczosTopKAndMostNegativeMatchTheSpectrum() {
        Quadratic q = Quadratic.rotated(SPECTRUM, 5);
        Lanczos.Result r = Lanczos.run(q, 5, 20, 1, true);
        double[] expected = sortedDescending(SPECTRUM);
        for (int i = 0; i < 5; i++) assertEquals(expected[i], r.eigenvalues()[i], 1e-8, "eigenvalue " + i);
        assertEquals(-3.0, r.smallest(), 1e-8);
        // Ritz vectors are eigenvectors: ‖Av − λv‖ small
        INDArray av = Nd4j.zeros(DataType.DOUBLE, SPECTRUM.length);
        q.hvp(r.eigenvectors().get(0), av);
        assertTrue(Vectors.norm(av.sub(r.eigenvectors().get(0).mul(10.0))) < 1e-2);
        // fewer steps than the dimension still resolves the extremes of a larger problem
        double[] big = new double[300];
        for (int i = 0; i < big.length; i++) big[i] = 1.0 / (1 + i);
        big[0] = 50;
        big[1] = 40;
        big[299] = -20;
        Lanczos.Result rb = Lanczos.run(Quadratic.rotated(big, 6), 2, 40, 0, false);
        assertEquals(50, rb.eigenvalues()[0], 1e-8);
        assertEquals(40, rb.eigenvalues()[1], 1e-8);
        assertEquals(-20, rb.smallest(), 1e-8);
        assertTrue(rb.hvps() <= 40);
    }

    @Test void hutchinsonIsExactOnDiagonalsAndWithinThreeStandardErrorsOtherwise() {
        Quadratic diag = Quadratic.diagonal(SPECTRUM, new double[SPECTRUM.length]);
        double exact = Arrays.stream(SPECTRUM).sum();
        HutchinsonTrace.Estimate d = HutchinsonTrace.estimate(diag, 10, 0);
        assertEquals(exact, d.trace(), 1e-10);
        assertEquals(0.0, d.standardError(), 1e-12);
        HutchinsonTrace.Estimate r = HutchinsonTrace.estimate(Quadratic.rotated(SPECTRUM, 7), 200, 1);
        assertTrue(r.standardError() > 0);
        assertTrue(Math.abs(r.trace() - exact) <= 3 * r.standardError(), r.trace() + " ± " + r.standardError() + " vs " + exact);
    }

    @Test void spectralDensityMomentsAreExactOnDiagonals() {
        Quadratic diag = Quadratic.diagonal(SPECTRUM, new double[SPECTRUM.length]);
        SpectralDensity rho = SpectralDensity.estimate(diag, 4, 20, 500, 0.05, 2);
        int n = SPECTRUM.length;
        assertEquals(1.0, rho.moment(0), 1e-10);
        assertEquals(Arrays.stream(SPECTRUM).sum() / n, rho.moment(1), 1e-8);
        assertEquals(Arrays.stream(SPECTRUM).map(x -> x * x).sum() / n, rho.moment(2), 1e-8);
        double integral = 0;
        for (int i = 1; i < rho.grid().length; i++) integral += rho.density()[i] * (rho.grid()[i] - rho.grid()[i - 1]);
        assertEquals(1.0, integral, 1e-3);
        assertTrue(rho.grid()[0] < -3 && rho.grid()[rho.grid().length - 1] > 10);
    }

    static double[] denseEigenvalues(INDArray symmetric) {
        double[] ev = new EigenDecomposition(new Array2DRowRealMatrix(symmetric.toDoubleMatrix())).getRealEigenvalues();
        return sortedDescending(ev);
    }

    @Test void smallMlpAgreesWithItsDenseHessian() {
        Network net = Models.mlpBuilder(Models.Activation.TANH, true, Init.GLOROT, 6, 8, 3).build(DataType.DOUBLE, 1);
        Random rng = new Random(2);
        double[][] x = new double[20][6], t = new double[20][3];
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 6; j++) x[i][j] = rng.nextGaussian();
            t[i][rng.nextInt(3)] = 1;
        }
        Objective f = new NetworkObjective(net, new SoftmaxCrossEntropy(), new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(t)));
        int n = (int) f.dimension();
        INDArray h = Nd4j.zeros(DataType.DOUBLE, n, n), e = Nd4j.zeros(DataType.DOUBLE, n), col = Nd4j.zeros(DataType.DOUBLE, n);
        for (int i = 0; i < n; i++) {
            e.assign(0).putScalar(i, 1);
            f.hvp(e, col);
            h.putColumn(i, col);
        }
        double[] exact = denseEigenvalues(h.add(h.transpose()).muli(0.5));
        double dominant = Math.abs(exact[0]) >= Math.abs(exact[n - 1]) ? exact[0] : exact[n - 1];
        SharpnessEstimate s = PowerIteration.builder().tolerance(1e-13).maxIterations(100000).build().run(f);
        assertEquals(dominant, s.eigenvalue(), 1e-6 * Math.abs(dominant));
        Lanczos.Result lz = Lanczos.run(f, 3, n, 0, false);
        for (int i = 0; i < 3; i++) assertEquals(exact[i], lz.eigenvalues()[i], 1e-6 * Math.abs(exact[0]), "Lanczos eigenvalue " + i);
        assertEquals(exact[n - 1], lz.smallest(), 1e-6 * Math.abs(exact[0]));
        double trace = Arrays.stream(exact).sum();
        HutchinsonTrace.Estimate tr = Curvature.trace(f, 100, 3);
        assertTrue(Math.abs(tr.trace() - trace) <= 3 * tr.standardError(), tr + " vs " + trace);
    }

    @Test void preconditionedSharpnessEqualsTheDenseComputation() {
        Quadratic q = Quadratic.rotated(new double[]{4, 3, 2, 1, 0.5, -1}, 8);
        INDArray p = Nd4j.createFromArray(0.5, 2.0, 1.0, 3.0, 0.25, 1.5);
        INDArray s = Nd4j.diag(Nd4j.createFromArray(Arrays.stream(p.toDoubleVector()).map(v -> 1 / Math.sqrt(v)).toArray()));
        double[] exact = denseEigenvalues(s.mmul(q.hessian()).mmul(s));
        double dominant = Math.abs(exact[0]) >= Math.abs(exact[exact.length - 1]) ? exact[0] : exact[exact.length - 1];
        SharpnessEstimate est = PreconditionedSharpness.estimate(q, p, PowerIteration.builder().tolerance(1e-13).maxIterations(100000).build(), null);
        assertEquals(dominant, est.eigenvalue(), 1e-8 * Math.abs(dominant));
        // docs/methods.md §6.3, §6.9: RMSProp (β₂ = 0.999, ε = 1e-8) after one step at (1, 1) on diag(1, 10): P = √0.001·|g| + ε
        Quadratic c7 = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        INDArray pc7 = Nd4j.createFromArray(Math.sqrt(0.001) * 1 + 1e-8, Math.sqrt(0.001) * 10 + 1e-8);
        // the two eigenvalues of P⁻¹A are 31.6227657 and 31.6227756 (3e-7 apart), so power iteration resolves λmax only to
        // within that gap; the dense answer max(aᵢ/Pᵢ) = 31.6227756 is asserted to 1e-6 relative
        assertEquals(31.6227756, PreconditionedSharpness.estimate(c7, pc7, PowerIteration.builder().tolerance(1e-12).build(), null).eigenvalue(), 1e-6 * 31.62);
    }

    @Test void warmStartNeedsFewerHvpsOnASlowlyChangingProblem() {
        double[] spectrum = {10, 9, 8, 5, 3, 1};
        PowerIteration power = PowerIteration.builder().tolerance(1e-8).maxIterations(10000).seed(1).build();
        SharpnessEstimate previous = power.run(Quadratic.rotated(spectrum, 11));
        long cold = 0, warm = 0;
        for (int t = 1; t <= 5; t++) {
            double[] drifted = spectrum.clone();
            drifted[0] = 10 + 0.01 * t;  // the eigenbasis is the same (same seed), the top eigenvalue drifts slowly
            Quadratic q = Quadratic.rotated(drifted, 11);
            SharpnessEstimate c = power.run(q);
            SharpnessEstimate w = power.run(HessianOperator.of(q), previous.eigenvector());
            assertEquals(c.eigenvalue(), w.eigenvalue(), 1e-5);
            cold += c.hvps();
            warm += w.hvps();
            previous = w;
        }
        assertTrue(warm * 2 < cold, "warm " + warm + " HVPs vs cold " + cold);
    }

    @Test void updateCurvatureSlopeAndEdgeStepOnTheQuadratic() {
        Quadratic q = Quadratic.diagonal(new double[]{1, 10}, 1, 1);
        INDArray g = Nd4j.zeros(DataType.DOUBLE, 2);
        q.lossAndGradient(g);
        UpdateCurvature c = UpdateCurvature.of(q, g, g.neg());
        assertEquals(1001, c.curvature(), 1e-12);
        assertEquals(101, c.slope(), 1e-12);
        assertEquals(0.2017982018, c.edge(), 1e-10);
        assertEquals(1.0, UpdateCurvature.cosine(g, g.mul(3)), 1e-15);
        assertEquals(Math.PI / 2, UpdateCurvature.angle(Nd4j.createFromArray(1.0, 0.0), Nd4j.createFromArray(0.0, 2.0)), 1e-15);
    }

    @Test void effectiveLearningRateAngularUpdateAndPerChannelValues() {
        // docs/methods.md §5.3: f = 1 − w₁/‖w‖, GD lr 0.4 from (1.2, 1.6) gives (1.328, 1.504): the same direction change as one unit-sphere step with ELR 0.1
        INDArray before = Nd4j.createFromArray(1.2, 1.6), after = Nd4j.createFromArray(1.328, 1.504);
        assertEquals(0.1, EffectiveLearningRate.of(0.4, before), 1e-15);
        double sphereAngle = EffectiveLearningRate.angle(Nd4j.createFromArray(0.6, 0.8), Nd4j.createFromArray(0.664, 0.752));
        assertEquals(sphereAngle, EffectiveLearningRate.angle(before, after), 1e-12);
        assertEquals(0.8474652323, Math.atan2(1.504, 1.328), 1e-9);
        // ‖Δw⊥‖/‖w‖: Δw = (0.128, −0.096) is orthogonal to w (scale invariance), so it is ‖Δw‖/2 = 0.08
        assertEquals(0.08, EffectiveLearningRate.angularUpdate(before, after), 1e-12);
        // docs/methods.md §5.3: three filters with norms 1, 2, 4 (columns of a (in, out) weight), lr 0.1
        INDArray w = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {0, 2, 0}, {0, 0, 4}});
        double[] perChannel = EffectiveLearningRate.perOutputUnit(0.1, w);
        assertEquals(0.1, perChannel[0], 1e-15);
        assertEquals(0.025, perChannel[1], 1e-15);
        assertEquals(0.00625, perChannel[2], 1e-15);
        assertEquals(0.1 / 21, EffectiveLearningRate.total(0.1, List.of(w)), 1e-15);
    }

    @Test void sameSeedSameEstimates() {
        Quadratic q = Quadratic.rotated(SPECTRUM, 3);
        assertEquals(PowerIteration.defaults().run(q).eigenvalue(), PowerIteration.defaults().run(q).eigenvalue(), 0);
        assertEquals(HutchinsonTrace.estimate(q, 10, 5).trace(), HutchinsonTrace.estimate(q, 10, 5).trace(), 0);
        assertTrue(HutchinsonTrace.estimate(q, 10, 5).trace() != HutchinsonTrace.estimate(q, 10, 6).trace());
    }

    @Test void averagedOperatorIsTheWeightedSum() {
        Quadratic a = Quadratic.diagonal(new double[]{2, 4}, 0, 0), b = Quadratic.diagonal(new double[]{6, 0}, 0, 0);
        HessianOperator avg = HessianOperator.average(List.of(a, b), new double[]{0.25, 0.75});
        INDArray out = Nd4j.zeros(DataType.DOUBLE, 2);
        avg.apply(Nd4j.createFromArray(1.0, 1.0), out);
        assertEquals(0.25 * 2 + 0.75 * 6, out.getDouble(0), 1e-15);
        assertEquals(0.25 * 4, out.getDouble(1), 1e-15);
        assertEquals(1, avg.applications());
    }
}
