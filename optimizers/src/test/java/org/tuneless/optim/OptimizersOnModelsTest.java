package org.tuneless.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.curvature.Lanczos;
import org.tuneless.curvature.PowerIteration;
import org.tuneless.objective.Batch;
import org.tuneless.objective.ReluInputs;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.nn.NetworkObjectiveTesting;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainingRun;
import org.tuneless.train.TrainingStatus;

/** AGD, ECCO-DNN, CDAT and the curvature operators on the zoo's convolutional, residual and transformer models. */
class OptimizersOnModelsTest {

    private static final long[] IMAGE = {2, 6, 6};

    private static TrainingRun train(Network net, Batch b, Optimizer o, int steps) {
        if (o instanceof Agd) Agd.initialize(net, 0);
        return Trainer.builder().network(net).loss(new SoftmaxCrossEntropy()).fullBatch(b).optimizer(o).steps(steps).build().run();
    }

    private static void assertTrains(TrainingRun r, double factor, String what) {
        double first = r.history().get(0).loss(), last = r.finalLoss();
        assertEquals(TrainingStatus.COMPLETED, r.status(), what + ": " + r.status());
        assertTrue(Double.isFinite(last) && last < factor * first, what + ": loss " + first + " → " + last);
    }

    @Test void agdInitializesEveryConvSliceOrthogonally() {
        Network net = NetworkObjectiveTesting.tinyResnet(Models.Norm.NONE);
        Agd.initialize(net, 3);
        int checked = 0;
        for (ParameterTensor t : net.layout().tensors()) {
            INDArray w = ParameterLayout.view(net.parameters(), t);
            if (w.rank() != 4) continue;
            long out = w.size(0), in = w.size(1), k = w.size(2);
            // AGD (arXiv 2304.05187, Alg. 1 and §3.3; docs/methods.md §2.2–§2.3): each k×k slice is semi-orthogonal × √(out/in) / k, so its Gram matrix is (out/in)/k²·I
            INDArray slice = w.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k / 2), NDArrayIndex.point(0)).dup();
            INDArray gram = out >= in ? slice.transpose().mmul(slice) : slice.mmul(slice.transpose());
            double expected = out >= in ? (double) out / in / (k * k) : (double) out / in / (k * k) * in / out;
            INDArray eye = Nd4j.eye(gram.size(0)).castTo(DataType.DOUBLE).muli(expected);
            assertTrue(gram.sub(eye).norm2Number().doubleValue() < 1e-9 * Math.max(1, expected), t.name() + " Gram " + gram);
            checked++;
        }
        assertEquals(6, checked, "stem, two convs per block (2 blocks) and one projection");
    }

    @Test void agdTrainsConvAndResidualNetworks() {
        assertTrains(train(NetworkObjectiveTesting.tinyCnn(), NetworkObjectiveTesting.imageBatch(16, new long[]{1, 6, 6}, 3, 1), new Agd(), 40), 0.9, "AGD on a CNN");
        assertTrains(train(NetworkObjectiveTesting.tinyResnet(Models.Norm.NONE), NetworkObjectiveTesting.imageBatch(16, IMAGE, 3, 2), new Agd(), 40), 0.9, "AGD on a ResNet");
    }

    @Test void eccoLimiterSeesEveryReluOfAResnet() {
        Network net = NetworkObjectiveTesting.tinyResnet(Models.Norm.BATCH);
        Batch b = NetworkObjectiveTesting.imageBatch(8, IMAGE, 3, 3);
        List<int[]> fed = new ArrayList<>();
        new NetworkObjective(net, new SoftmaxCrossEntropy(), b).capability(ReluInputs.class).orElseThrow()
                .forEach(Nd4j.ones(DataType.DOUBLE, net.parameterCount()).muli(1e-3), (tensors, a, da) -> fed.add(tensors));
        // ReLUs: stem, inside block 1, after block 1, inside block 2, after block 2
        assertEquals(5, fed.size());
        assertEquals(3, fed.get(0).length, "stem ReLU is fed by conv W and the batch-norm gain and bias");
    }

    @Test void eccoTrainsResnetsAndLimitsSteps() {
        for (Models.Norm norm : new Models.Norm[]{Models.Norm.NONE, Models.Norm.BATCH}) {
            TrainingRun r = train(NetworkObjectiveTesting.tinyResnet(norm), NetworkObjectiveTesting.imageBatch(16, IMAGE, 3, 4), new EccoDnn(1.0), 40);
            assertTrains(r, 0.9, "ECCO on a ResNet (" + norm + ")");
            double minLimiter = r.history().stream().skip(1).mapToDouble(s -> s.metrics().getOrDefault("ecco.limiter", Double.NaN)).min().orElse(Double.NaN);
            assertTrue(minLimiter > 0 && minLimiter <= 1, "limiter δ recorded in (0, 1]: " + minLimiter);
        }
    }

    @Test void cdatTrainsThroughBatchNormAttentionAndLstm() {
        Optimizer cdat = Optimizers.create("cdat", Map.of("scale", "1"));
        assertTrains(train(NetworkObjectiveTesting.tinyResnet(Models.Norm.BATCH), NetworkObjectiveTesting.imageBatch(16, IMAGE, 3, 5), cdat, 30), 0.9, "CDAT on a BN ResNet");
        assertTrains(train(NetworkObjectiveTesting.tinyNanoLM(), NetworkObjectiveTesting.textBatch(6, 5, 6, 6), Optimizers.create("cdat", Map.of("scale", "1")), 30), 0.9, "CDAT on nanoLM");
        assertTrains(train(NetworkObjectiveTesting.tinyMixer(), NetworkObjectiveTesting.imageBatch(16, new long[]{1, 4, 4}, 3, 7), Optimizers.create("cdat", Map.of("scale", "1")), 30), 0.9, "CDAT on a Mixer");
    }

    /** Power iteration over exact HVPs finds the dominant eigenvalue of the dense Hessian assembled column by column. */
    @Test void sharpnessMatchesTheDenseHessianThroughEveryLayerKind() {
        // batch norm's HVP is checked against finite differences in ModelZooTest; here a norm-free ResNet keeps the
        // dense Hessian cheap (ND4J's broadcast ops make tiny BN/LN passes slow)
        // (the ResNet's top two eigenvalues are close, so power iteration needs thousands of HVPs there: Lanczos only)
        Network resnet = Models.resnet("resnet", new int[]{1, 1}, new long[]{1, 5, 5}, 3, Models.Norm.NONE, 2).build(DataType.DOUBLE, 12);
        check(resnet, NetworkObjectiveTesting.imageBatch(6, new long[]{1, 5, 5}, 3, 8), "resnet", false);
        check(NetworkObjectiveTesting.tinyMixer(), NetworkObjectiveTesting.imageBatch(6, new long[]{1, 4, 4}, 3, 9), "mixer", true);
        check(Models.nanoLM(1, 4, 2, 4, 5).build(DataType.DOUBLE, 13), NetworkObjectiveTesting.textBatch(3, 4, 5, 10), "nanoLM", true);
        check(NetworkObjectiveTesting.tinyLstmLM(), NetworkObjectiveTesting.textBatch(3, 4, 5, 11), "lstm", true);
    }

    private static void check(Network net, Batch b, String what, boolean power) {
        NetworkObjective f = new NetworkObjective(net, new SoftmaxCrossEntropy(), b);
        int n = (int) net.parameterCount();
        double[][] h = new double[n][n];
        INDArray e = Nd4j.zeros(DataType.DOUBLE, n), col = Nd4j.zeros(DataType.DOUBLE, n);
        for (int i = 0; i < n; i++) {
            e.assign(0).putScalar(i, 1.0);
            f.hvp(e, col);
            h[i] = col.toDoubleVector();
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) {
            assertEquals(h[i][j], h[j][i], 1e-8 * (1 + Math.abs(h[i][j])), what + ": Hessian asymmetric at " + i + "," + j);
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) h[i][j] = h[j][i] = 0.5 * (h[i][j] + h[j][i]);
        double[] eig = new EigenDecomposition(new Array2DRowRealMatrix(h)).getRealEigenvalues();
        double dominant = 0, top = Double.NEGATIVE_INFINITY;
        for (double x : eig) {
            if (Math.abs(x) > Math.abs(dominant)) dominant = x;
            top = Math.max(top, x);
        }
        double lanczos = Lanczos.run(f, 1, Math.min(n, 100), 1, false).top(1)[0];
        assertEquals(top, lanczos, 1e-6 * Math.abs(top), what + ": Lanczos vs dense Hessian (" + n + " parameters)");
        if (!power) return;
        long t0 = System.nanoTime();
        double lambda = PowerIteration.builder().tolerance(1e-9).maxIterations(5000).seed(1).build().run(f).eigenvalue();
        System.out.printf("%s: %d parameters, dense-Hessian dominant eigenvalue %.6g, power iteration %.6g (%.1f s)%n", what, n, dominant, lambda, (System.nanoTime() - t0) / 1e9);
        assertEquals(dominant, lambda, 1e-4 * Math.abs(dominant), what + ": power iteration vs dense Hessian (" + n + " parameters)");
    }
}
