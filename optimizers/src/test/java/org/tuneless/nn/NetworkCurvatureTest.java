package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.Vectors;

/** Whole-network gradient, HVP and uᵀHu against finite differences and a dense Hessian, in float64. */
class NetworkCurvatureTest {

    static Batch batch(long n, long in, int classes, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[(int) n][(int) in];
        double[][] t = new double[(int) n][classes];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < in; j++) x[i][j] = rng.nextGaussian();
            t[i][rng.nextInt(classes)] = 1;
        }
        return new Batch(Nd4j.createFromArray(x), Nd4j.createFromArray(t));
    }

    static INDArray gaussian(long n, long seed) {
        Random rng = new Random(seed);
        double[] a = new double[(int) n];
        for (int i = 0; i < n; i++) a[i] = rng.nextGaussian();
        return Nd4j.createFromArray(a);
    }

    private static Network smallMlp(Models.Activation act) {
        return Models.mlpBuilder(act, true, Init.GLOROT, 5, 4, 3).build(DataType.DOUBLE, 7);
    }

    /** (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h, the central difference of the gradient along v (θ is restored). */
    static INDArray gradientDifference(Network net, Loss loss, Batch b, INDArray v, double h) {
        int n = (int) net.parameterCount();
        INDArray w0 = net.parameters().dup();
        INDArray gp = Nd4j.zeros(net.dataType(), n), gm = Nd4j.zeros(net.dataType(), n);
        net.parameters().assign(w0.add(v.mul(h)));
        net.lossAndGradient(loss, b, gp);
        net.parameters().assign(w0.sub(v.mul(h)));
        net.lossAndGradient(loss, b, gm);
        net.parameters().assign(w0);
        return gp.subi(gm).divi(2 * h);
    }

    /** Dense Hessian assembled column by column from HVPs of basis vectors. */
    static INDArray denseHessian(Network net, Loss loss, Batch b) {
        int n = (int) net.parameterCount();
        INDArray h = Nd4j.zeros(DataType.DOUBLE, n, n);
        INDArray e = Nd4j.zeros(DataType.DOUBLE, n);
        INDArray col = Nd4j.zeros(DataType.DOUBLE, n);
        for (int i = 0; i < n; i++) {
            e.assign(0).putScalar(i, 1.0);
            net.hvp(loss, b, e, col, null);
            h.putColumn(i, col);
        }
        return h;
    }

    @Test void gradientMatchesFiniteDifferencesForEveryCoordinate() {
        for (Loss loss : new Loss[]{new SoftmaxCrossEntropy(), new SquaredLoss()}) {
            Network net = smallMlp(Models.Activation.TANH);
            Batch b = batch(6, 5, 3, 1);
            INDArray g = Nd4j.zeros(DataType.DOUBLE, net.parameterCount());
            net.lossAndGradient(loss, b, g);
            INDArray w = net.parameters();
            double h = 1e-6;
            for (int i = 0; i < net.parameterCount(); i++) {
                double w0 = w.getDouble(i);
                w.putScalar(i, w0 + h);
                double fp = net.loss(loss, b);
                w.putScalar(i, w0 - h);
                double fm = net.loss(loss, b);
                w.putScalar(i, w0);
                assertEquals((fp - fm) / (2 * h), g.getDouble(i), 1e-7, loss.name() + " gradient coordinate " + i);
            }
        }
    }

    @Test void denseHessianIsSymmetricAndMatchesFiniteDifferencesOfTheGradient() {
        for (Models.Activation act : new Models.Activation[]{Models.Activation.TANH, Models.Activation.GELU}) {
            for (Loss loss : new Loss[]{new SoftmaxCrossEntropy(), new SquaredLoss()}) {
                Network net = smallMlp(act);
                Batch b = batch(6, 5, 3, 2);
                INDArray hess = denseHessian(net, loss, b);
                double asym = Vectors.norm(hess.sub(hess.transpose())) / Vectors.norm(hess);
                assertTrue(asym < 1e-12, act + "/" + loss.name() + " Hessian asymmetry " + asym);

                int n = (int) net.parameterCount();
                INDArray gp = Nd4j.zeros(DataType.DOUBLE, n), gm = Nd4j.zeros(DataType.DOUBLE, n);
                INDArray w = net.parameters();
                double h = 1e-5;
                for (int i = 0; i < n; i++) {
                    double w0 = w.getDouble(i);
                    w.putScalar(i, w0 + h);
                    net.lossAndGradient(loss, b, gp);
                    w.putScalar(i, w0 - h);
                    net.lossAndGradient(loss, b, gm);
                    w.putScalar(i, w0);
                    INDArray fd = gp.sub(gm).divi(2 * h);
                    double err = Vectors.norm(fd.sub(hess.getColumn(i)));
                    assertTrue(err <= 1e-7 * Math.max(1, Vectors.norm(fd)), act + "/" + loss.name() + " Hessian column " + i + " error " + err);
                }
            }
        }
    }

    @Test void reluNetworkHvpMatchesFiniteDifferencesOfTheGradientAlongARandomDirection() {
        Network net = smallMlp(Models.Activation.RELU);
        Batch b = batch(8, 5, 3, 3);
        Loss loss = new SoftmaxCrossEntropy();
        int n = (int) net.parameterCount();
        INDArray v = gaussian(n, 11);
        INDArray hv = Nd4j.zeros(DataType.DOUBLE, n);
        net.hvp(loss, b, v, hv, null);
        double h = 1e-6;  // small enough that no ReLU input crosses zero
        INDArray fdHv = NetworkCurvatureTest.gradientDifference(net, loss, b, v, h);
        INDArray fd = fdHv;
        assertTrue(Vectors.norm(fd.sub(hv)) <= 1e-6 * Vectors.norm(fd), "ReLU network HVP vs finite differences");
    }

    @Test void hvpAlsoReturnsTheGradient() {
        Network net = smallMlp(Models.Activation.GELU);
        Batch b = batch(6, 5, 3, 4);
        Loss loss = new SoftmaxCrossEntropy();
        int n = (int) net.parameterCount();
        INDArray g1 = Nd4j.zeros(DataType.DOUBLE, n), g2 = Nd4j.zeros(DataType.DOUBLE, n), hv = Nd4j.zeros(DataType.DOUBLE, n);
        double l1 = net.lossAndGradient(loss, b, g1);
        double l2 = net.hvp(loss, b, gaussian(n, 5), hv, g2);
        assertEquals(l1, l2, 1e-14);
        assertTrue(Vectors.norm(g1.sub(g2)) < 1e-14 * Vectors.norm(g1));
    }

    @Test void curvatureAlongEqualsUTransposeHu() {
        for (Models.Activation act : Models.Activation.values()) {
            for (Loss loss : new Loss[]{new SoftmaxCrossEntropy(), new SquaredLoss()}) {
                Network net = smallMlp(act);
                Batch b = batch(7, 5, 3, 6);
                int n = (int) net.parameterCount();
                INDArray u = gaussian(n, 8);
                INDArray hu = Nd4j.zeros(DataType.DOUBLE, n);
                net.hvp(loss, b, u, hu, null);
                double expected = Vectors.dot(u, hu);
                double actual = net.curvatureAlong(loss, b, u);
                assertEquals(expected, actual, 1e-10 * Math.max(1, Math.abs(expected)), act + "/" + loss.name());
            }
        }
    }

    @Test void curvatureAlongMatchesSecondDifferenceOfTheLoss() {
        Network net = smallMlp(Models.Activation.TANH);
        Batch b = batch(7, 5, 3, 9);
        Loss loss = new SoftmaxCrossEntropy();
        INDArray u = gaussian(net.parameterCount(), 10);
        INDArray w0 = net.parameters().dup();
        double h = 1e-4;
        double f0 = net.loss(loss, b);
        net.parameters().assign(w0.add(u.mul(h)));
        double fp = net.loss(loss, b);
        net.parameters().assign(w0.sub(u.mul(h)));
        double fm = net.loss(loss, b);
        net.parameters().assign(w0);
        double fd = (fp - 2 * f0 + fm) / (h * h);
        assertEquals(fd, net.curvatureAlong(loss, b, u), 1e-5 * Math.max(1, Math.abs(fd)));
    }

    @Test void float32AgreesWithFloat64() {
        Network net64 = Models.mlpBuilder(Models.Activation.GELU, true, Init.HE, 20, 16, 16, 4).build(DataType.DOUBLE, 3);
        Network net32 = net64.copy(DataType.FLOAT);
        Batch b = batch(32, 20, 4, 12);
        Loss loss = new SoftmaxCrossEntropy();
        long n = net64.parameterCount();
        INDArray v = gaussian(n, 13);
        INDArray g64 = Nd4j.zeros(DataType.DOUBLE, n), h64 = Nd4j.zeros(DataType.DOUBLE, n);
        INDArray g32 = Nd4j.zeros(DataType.FLOAT, n), h32 = Nd4j.zeros(DataType.FLOAT, n);
        double l64 = net64.hvp(loss, b, v, h64, g64);
        double l32 = net32.hvp(loss, b, v.castTo(DataType.FLOAT), h32, g32);
        assertEquals(l64, l32, 1e-5 * l64);
        assertTrue(Vectors.norm(g64.sub(g32.castTo(DataType.DOUBLE))) < 1e-4 * Vectors.norm(g64), "gradient float32 vs float64");
        assertTrue(Vectors.norm(h64.sub(h32.castTo(DataType.DOUBLE))) < 1e-4 * Vectors.norm(h64), "HVP float32 vs float64");
        double c64 = net64.curvatureAlong(loss, b, v);
        double c32 = net32.curvatureAlong(loss, b, v.castTo(DataType.FLOAT));
        assertEquals(c64, c32, 1e-4 * Math.abs(c64));
    }

    @Test void lossValuesMatchHandComputation() {
        // outputs y = [[1, 2, 0]], target class 1: CE = logsumexp(1,2,0) − 2 ; MSE = ½((1−0)² + (2−1)² + 0²) = 1
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 2, 0}});
        INDArray t = Nd4j.createFromArray(new double[][]{{0, 1, 0}});
        double lse = Math.log(Math.exp(1) + Math.exp(2) + 1);
        assertEquals(lse - 2, new SoftmaxCrossEntropy().evaluate(y, t).value(), 1e-14);
        assertEquals(1.0, new SquaredLoss().evaluate(y, t).value(), 1e-14);
        // averaged over the batch: two identical rows give the same mean
        INDArray y2 = Nd4j.concat(0, y, y), t2 = Nd4j.concat(0, t, t);
        assertEquals(1.0, new SquaredLoss().evaluate(y2, t2).value(), 1e-14);
    }

    @Test void mismatchedVectorsAreRejected() {
        Network net = smallMlp(Models.Activation.TANH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.lossAndGradient(new SquaredLoss(), batch(2, 5, 3, 1), Nd4j.zeros(DataType.DOUBLE, 3)));
        assertTrue(e.getMessage().contains("length 3") && e.getMessage().contains("parameters"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> net.loss(new SquaredLoss(), batch(2, 6, 3, 1)));
        assertTrue(bad.getMessage().contains("expects"), bad.getMessage());
    }
}
