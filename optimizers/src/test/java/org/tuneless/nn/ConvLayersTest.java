package org.tuneless.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.ParamRole;
import org.tuneless.tensor.Vectors;

/** Conv2d, MaxPool2d, AvgPool2d and GlobalAvgPool: derivatives, layout against naive loops, shapes, float32. */
class ConvLayersTest {

    private static final UnaryOperator<INDArray> AS_IS = a -> a;

    /** Replaces the input by a random permutation of 0, 1, …, n−1: distinct values 1 apart, so no max-pool ties. */
    private static final UnaryOperator<INDArray> DISTINCT = a -> {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < a.length(); i++) values.add((double) i);
        Collections.shuffle(values, new Random(a.length()));
        double[] d = values.stream().mapToDouble(Double::doubleValue).toArray();
        return Nd4j.createFromArray(d).reshape(a.shape());
    };

    private static INDArray gaussian(Random rng, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] a = new double[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        return Nd4j.createFromArray(a).reshape(shape);
    }

    private static void assertClose(INDArray expected, INDArray actual, double rel, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double err = Vectors.norm(expected.sub(actual));
        double scale = Math.max(1e-12, Vectors.norm(expected));
        assertTrue(err <= rel * scale, what + ": relative error " + err / scale);
    }

    // ---- derivatives against finite differences (float64) ----

    @Test void convK3S1P1WithBias() {
        new LayerDerivativeCheck(new Conv2d(4, 3, 1, 1, true, Init.HE), 2, new long[]{3, 5, 6}, 21, AS_IS).checkAll();
    }

    @Test void convK3S2P1WithBias() {
        new LayerDerivativeCheck(new Conv2d(3, 3, 2, 1, true, Init.HE), 2, new long[]{2, 7, 6}, 22, AS_IS).checkAll();
    }

    @Test void convK1S1P0WithoutBias() {
        new LayerDerivativeCheck(new Conv2d(4, 1, 1, 0, false, Init.HE), 3, new long[]{3, 4, 5}, 23, AS_IS).checkAll();
    }

    @Test void convK2S2P0WithBias() {
        new LayerDerivativeCheck(new Conv2d(3, 2, 2, 0, true, Init.HE), 2, new long[]{2, 6, 4}, 24, AS_IS).checkAll();
    }

    @Test void maxPoolK2S2() {
        new LayerDerivativeCheck(new MaxPool2d(2, 2), 2, new long[]{3, 4, 6}, 25, DISTINCT).checkAll();
    }

    @Test void maxPoolOverlappingWindowsK3S2() {
        new LayerDerivativeCheck(new MaxPool2d(3, 2), 2, new long[]{2, 7, 5}, 26, DISTINCT).checkAll();
    }

    @Test void maxPoolOverlappingWindowsK2S1() {
        new LayerDerivativeCheck(new MaxPool2d(2, 1), 2, new long[]{2, 4, 5}, 27, DISTINCT).checkAll();
    }

    @Test void avgPoolK2S2WithoutPadding() {
        new LayerDerivativeCheck(new AvgPool2d(2, 2, 0), 2, new long[]{3, 4, 6}, 28, AS_IS).checkAll();
    }

    @Test void avgPoolK3S2WithPadding() {
        new LayerDerivativeCheck(new AvgPool2d(3, 2, 1), 2, new long[]{2, 7, 6}, 29, AS_IS).checkAll();
    }

    @Test void avgPoolK3S1WithPadding() {
        new LayerDerivativeCheck(new AvgPool2d(3, 1, 1), 2, new long[]{2, 4, 5}, 30, AS_IS).checkAll();
    }

    @Test void globalAvgPool() {
        new LayerDerivativeCheck(new GlobalAvgPool(), 3, new long[]{3, 4, 5}, 31, AS_IS).checkAll();
    }

    // ---- layout and semantics against direct loops ----

    /** y[n,o,i,j] = b[o] + Σ_{c,a,e} W[o,c,a,e]·x[n,c,s·i+a−p,s·j+e−p] with zeros outside (PyTorch cross-correlation, OIHW). */
    private static INDArray naiveConv(INDArray x, INDArray w, INDArray b, int k, int s, int p) {
        long n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(0);
        long oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1;
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, o, oh, ow);
        for (int in = 0; in < n; in++) for (int oc = 0; oc < o; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double acc = b == null ? 0 : b.getDouble(oc);
            for (int ic = 0; ic < c; ic++) for (int a = 0; a < k; a++) for (int e = 0; e < k; e++) {
                int r = s * i + a - p, q = s * j + e - p;
                if (r >= 0 && r < h && q >= 0 && q < wd) acc += w.getDouble(oc, ic, a, e) * x.getDouble(in, ic, r, q);
            }
            y.putScalar(new long[]{in, oc, i, j}, acc);
        }
        return y;
    }

    @Test void convMatchesANaiveCrossCorrelationInOihwLayout() {
        Random rng = new Random(40);
        int[][] configs = {{3, 2, 1}, {2, 1, 0}, {3, 1, 1}, {1, 2, 0}};  // {k, s, p}
        for (int[] cfg : configs) {
            int k = cfg[0], s = cfg[1], p = cfg[2];
            Conv2d conv = new Conv2d(4, k, s, p, true, Init.HE);
            INDArray x = gaussian(rng, 2, 3, 5, 6);
            INDArray w = gaussian(rng, 4, 3, k, k), b = gaussian(rng, 4);
            assertArrayEquals(w.shape(), conv.parameters(new long[]{3, 5, 6}).get(0).shape());
            INDArray y = conv.forward(x, new INDArray[]{w, b});
            assertClose(naiveConv(x, w, b, k, s, p), y, 1e-12, "conv k=" + k + " s=" + s + " p=" + p);
        }
    }

    @Test void maxPoolMatchesANaiveWindowMaximum() {
        INDArray x = gaussian(new Random(41), 2, 3, 7, 6);
        int k = 3, s = 2;
        INDArray y = new MaxPool2d(k, s).forward(x, new INDArray[0]);
        assertArrayEquals(new long[]{2, 3, 3, 2}, y.shape());
        for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < k; a++) for (int e = 0; e < k; e++) m = Math.max(m, x.getDouble(n, c, s * i + a, s * j + e));
            assertEquals(m, y.getDouble(n, c, i, j), 0.0);
        }
    }

    /** Padded zeros count in the average: the corner of a 3×3 window with padding 1 averages 4 ones over 9. */
    @Test void avgPoolDividesByTheFullWindowIncludingPadding() {
        INDArray y = new AvgPool2d(3, 1, 1).forward(Nd4j.ones(DataType.DOUBLE, 1, 1, 3, 4), new INDArray[0]);
        assertEquals(4.0 / 9, y.getDouble(0, 0, 0, 0), 1e-15);
        assertEquals(6.0 / 9, y.getDouble(0, 0, 1, 0), 1e-15);
        assertEquals(6.0 / 9, y.getDouble(0, 0, 0, 1), 1e-15);
        assertEquals(1.0, y.getDouble(0, 0, 1, 1), 1e-15);
        INDArray x = gaussian(new Random(42), 1, 2, 5, 5);
        INDArray z = new AvgPool2d(2, 2, 0).forward(x, new INDArray[0]);
        double expected = (x.getDouble(0, 1, 2, 2) + x.getDouble(0, 1, 2, 3) + x.getDouble(0, 1, 3, 2) + x.getDouble(0, 1, 3, 3)) / 4;
        assertEquals(expected, z.getDouble(0, 1, 1, 1), 1e-14);
    }

    @Test void globalAvgPoolIsTheChannelMean() {
        INDArray x = gaussian(new Random(43), 2, 3, 4, 5);
        INDArray y = new GlobalAvgPool().forward(x, new INDArray[0]);
        assertArrayEquals(new long[]{2, 3}, y.shape());
        double sum = 0;
        for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) sum += x.getDouble(1, 2, i, j);
        assertEquals(sum / 20, y.getDouble(1, 2), 1e-14);
    }

    /**
     * All-equal windows (e.g. zeros after a ReLU): each output routes to exactly one input, the same one in the tangent,
     * backward, R-op and second tangent, for non-overlapping and overlapping windows, in float64 and float32.
     */
    @Test void maxPoolTiesRouteToOnePositionConsistently() {
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            for (int[] cfg : new int[][]{{2, 2}, {3, 3}, {2, 1}, {3, 2}}) {
                MaxPool2d pool = new MaxPool2d(cfg[0], cfg[1]);
                String what = "maxpool k=" + cfg[0] + " s=" + cfg[1] + " " + type;
                INDArray x = Nd4j.zeros(type, 2, 3, 7, 6);
                long[] out = {2, 3, (7 - cfg[0]) / cfg[1] + 1, (6 - cfg[0]) / cfg[1] + 1};
                pool.forward(x, new INDArray[0]);
                INDArray gx = pool.backward(Nd4j.ones(type, out), new INDArray[0], null, true);
                assertEquals(out[0] * out[1] * out[2] * out[3], gx.sumNumber().doubleValue(), 0.0, what + ": one route per output");
                if (cfg[1] >= cfg[0]) assertEquals(1.0, gx.maxNumber().doubleValue(), 0.0, what + ": one route per window");
                Random rng = new Random(44);
                INDArray dx = gaussian(rng, 2, 3, 7, 6).castTo(type), gy = gaussian(rng, out).castTo(type);
                INDArray dy = pool.jvp(dx, new INDArray[0], new INDArray[0]);
                INDArray back = pool.backward(gy, new INDArray[0], null, true);
                double tol = type == DataType.DOUBLE ? 1e-12 : 1e-4;
                assertEquals(Vectors.dot(dy, gy), Vectors.dot(dx, back), tol * Vectors.norm(dy) * Vectors.norm(gy), what + ": backward is the adjoint of the tangent");
                assertClose(back, pool.rBackward(null, gy, new INDArray[0], new INDArray[0], new INDArray[0], true), 1e-15, what + ": R-op routing");
                assertClose(dy, pool.secondTangent(null, dx, new INDArray[0], new INDArray[0])[1], 1e-15, what + ": second tangent routing");
                // the tangent picks single entries of ẋ (no sums of tied entries)
                INDArray picked = pool.jvp(Nd4j.ones(type, x.shape()), new INDArray[0], new INDArray[0]);
                assertEquals(1.0, picked.minNumber().doubleValue(), 1e-6, what);
                assertEquals(1.0, picked.maxNumber().doubleValue(), 1e-6, what);
            }
        }
    }

    @Test void zeroTangentsStayNull() {
        MaxPool2d max = new MaxPool2d(2, 2);
        AvgPool2d avg = new AvgPool2d(2, 2, 0);
        GlobalAvgPool global = new GlobalAvgPool();
        INDArray x = gaussian(new Random(45), 1, 2, 4, 4);
        for (Layer l : new Layer[]{max, avg, global}) {
            l.forward(x, new INDArray[0]);
            assertNull(l.jvp(null, new INDArray[0], new INDArray[0]), l.kind());
            assertNull(l.rBackward(null, null, new INDArray[0], new INDArray[0], new INDArray[0], true), l.kind());
            INDArray[] t = l.secondTangent(null, null, new INDArray[0], new INDArray[0]);
            assertNull(t[0], l.kind());
            assertNull(t[1], l.kind());
        }
        Conv2d conv = new Conv2d(2, 3, 1, 1, false, Init.HE);
        Random rng = new Random(46);
        INDArray[] theta = {gaussian(rng, 2, 2, 3, 3)};
        conv.forward(x, theta);
        INDArray[] t = conv.secondTangent(null, null, theta, new INDArray[]{gaussian(rng, 2, 2, 3, 3)});
        assertNull(t[1], "conv ÿ with ẋ = ẍ = 0");
    }

    // ---- shapes, parameter counts, configuration errors ----

    private static long count(List<ParamSpec> specs) {
        return specs.stream().mapToLong(ParamSpec::length).sum();
    }

    @Test void shapesAndParameterCounts() {
        Conv2d conv = new Conv2d(16, 3, 1, 1, true, Init.HE);
        long[] mnist = {3, 28, 28};
        assertEquals(16 * 3 * 3 * 3 + 16, count(conv.parameters(mnist)));  // 448
        assertEquals(448, count(conv.parameters(mnist)));
        ParamSpec w = conv.parameters(mnist).get(0), b = conv.parameters(mnist).get(1);
        assertArrayEquals(new long[]{16, 3, 3, 3}, w.shape());
        assertEquals(ParamRole.WEIGHT, w.role());
        assertEquals(27, w.fanIn());
        assertEquals(144, w.fanOut());
        assertArrayEquals(new long[]{16}, b.shape());
        assertEquals(ParamRole.BIAS, b.role());
        assertEquals(Init.ZEROS, b.init());
        assertArrayEquals(new long[]{16, 28, 28}, conv.outputShape(mnist));
        assertArrayEquals(new long[]{16, 14, 14}, new Conv2d(16, 3, 2, 1, true, Init.HE).outputShape(mnist));
        assertArrayEquals(new long[]{8, 13, 13}, new Conv2d(8, 4, 2, 0, true, Init.HE).outputShape(mnist));  // (28−4)/2+1
        assertEquals(8 * 3, count(new Conv2d(8, 1, 1, 0, false, Init.HE).parameters(mnist)));
        assertEquals(1, new Conv2d(8, 1, 1, 0, false, Init.HE).parameters(mnist).size());
        assertArrayEquals(new long[]{16, 14, 14}, new MaxPool2d(2, 2).outputShape(new long[]{16, 28, 28}));
        assertArrayEquals(new long[]{16, 13, 13}, new MaxPool2d(3, 2).outputShape(new long[]{16, 28, 28}));
        assertArrayEquals(new long[]{4, 4, 4}, new AvgPool2d(3, 2, 1).outputShape(new long[]{4, 7, 7}));
        assertArrayEquals(new long[]{4, 3, 3}, new AvgPool2d(2, 2, 0).outputShape(new long[]{4, 7, 7}));
        assertArrayEquals(new long[]{16}, new GlobalAvgPool().outputShape(new long[]{16, 7, 7}));
        for (Layer l : new Layer[]{new MaxPool2d(2, 2), new AvgPool2d(2, 2, 0), new GlobalAvgPool()}) {
            assertTrue(l.parameters(new long[]{3, 8, 8}).isEmpty(), l.kind());
        }
        // forward produces the declared shape
        INDArray x = gaussian(new Random(47), 2, 3, 9, 8);
        Conv2d c = new Conv2d(5, 3, 2, 1, true, Init.HE);
        INDArray[] theta = {Nd4j.zeros(DataType.DOUBLE, 5, 3, 3, 3), Nd4j.zeros(DataType.DOUBLE, 5)};
        assertArrayEquals(new long[]{2, 5, 5, 4}, c.forward(x, theta).shape());
        assertArrayEquals(new long[]{5, 5, 4}, c.outputShape(new long[]{3, 9, 8}));
    }

    @Test void badConfigurationsAreRejectedWithAHint() {
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(4, 3, 1, 1, true, Init.HE).parameters(new long[]{784}));
        assertTrue(flat.getMessage().contains("(channels, height, width)"), flat.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(4, 5, 1, 0, true, Init.HE).outputShape(new long[]{1, 3, 3}));
        assertTrue(small.getMessage().contains("does not fit"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(4, 2).outputShape(new long[]{1, 3, 8}));
        assertThrows(IllegalArgumentException.class, () -> new GlobalAvgPool().outputShape(new long[]{10}));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 3, 1, 1, true, Init.HE));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 3, 0, 1, true, Init.HE));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 3, 1, -1, true, Init.HE));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0, 1));
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(2, 2).forward(Nd4j.zeros(DataType.DOUBLE, 4, 16), new INDArray[0]));
        assertTrue(rank.getMessage().contains("batch of images"), rank.getMessage());
    }

    // ---- float32 ----

    /** Each layer in float32 gives the float64 result to float precision, forward and backward. */
    @Test void float32MatchesFloat64() {
        Random rng = new Random(48);
        INDArray x = gaussian(rng, 2, 3, 8, 7);
        Layer[] layers = {new Conv2d(4, 3, 2, 1, true, Init.HE), new Conv2d(4, 1, 1, 0, false, Init.HE),
                new MaxPool2d(2, 2), new MaxPool2d(3, 2), new AvgPool2d(3, 2, 1), new AvgPool2d(2, 2, 0), new GlobalAvgPool()};
        for (Layer layer : layers) {
            List<ParamSpec> specs = layer.parameters(new long[]{3, 8, 7});
            INDArray[] theta = new INDArray[specs.size()], thetaF = new INDArray[specs.size()];
            INDArray[] grads = new INDArray[specs.size()], gradsF = new INDArray[specs.size()];
            for (int i = 0; i < specs.size(); i++) {
                theta[i] = gaussian(rng, specs.get(i).shape());
                thetaF[i] = theta[i].castTo(DataType.FLOAT);
                grads[i] = Nd4j.zeros(DataType.DOUBLE, specs.get(i).shape());
                gradsF[i] = Nd4j.zeros(DataType.FLOAT, specs.get(i).shape());
            }
            INDArray y = layer.forward(x, theta).dup();
            INDArray gy = gaussian(rng, y.shape());
            INDArray gx = layer.backward(gy, theta, grads, true).dup();
            INDArray yF = layer.forward(x.castTo(DataType.FLOAT), thetaF);
            assertEquals(DataType.FLOAT, yF.dataType(), layer.kind());
            assertClose(y, yF.castTo(DataType.DOUBLE), 1e-5, layer.kind() + " float32 forward");
            INDArray gxF = layer.backward(gy.castTo(DataType.FLOAT), thetaF, gradsF, true);
            assertEquals(DataType.FLOAT, gxF.dataType(), layer.kind());
            assertClose(gx, gxF.castTo(DataType.DOUBLE), 1e-5, layer.kind() + " float32 input gradient");
            for (int i = 0; i < grads.length; i++) {
                assertClose(grads[i], gradsF[i].castTo(DataType.DOUBLE), 1e-5, layer.kind() + " float32 parameter gradient " + i);
            }
        }
    }

    // ---- inside a network ----

    private static Network smallCnn(DataType type) {
        return Network.builder(2, 8, 8)
                .add(new Conv2d(3, 3, 1, 1, true, Init.HE)).tanh()
                .add(new MaxPool2d(2, 2))
                .add(new Conv2d(4, 3, 2, 1, true, Init.HE)).tanh()
                .add(new AvgPool2d(2, 1, 0))
                .add(new GlobalAvgPool())
                .dense(3)
                .build(type, 5);
    }

    @Test void networkHvpAndCurvatureMatchFiniteDifferences() {
        Network net = smallCnn(DataType.DOUBLE);
        // 3·2·9+3 + 4·3·9+4 + 4·3+3
        assertEquals(57 + 112 + 15, net.parameterCount());
        Random rng = new Random(49);
        INDArray x = gaussian(rng, 5, 2 * 8 * 8);
        INDArray t = Nd4j.zeros(DataType.DOUBLE, 5, 3);
        for (int i = 0; i < 5; i++) t.putScalar(i, rng.nextInt(3), 1.0);
        Batch b = new Batch(x, t);
        Loss loss = new SoftmaxCrossEntropy();
        int n = (int) net.parameterCount();
        INDArray v = gaussian(rng, n), u = gaussian(rng, n);
        INDArray hv = Nd4j.zeros(DataType.DOUBLE, n), hu = Nd4j.zeros(DataType.DOUBLE, n);
        net.hvp(loss, b, v, hv, null);
        net.hvp(loss, b, u, hu, null);
        assertEquals(Vectors.dot(u, hv), Vectors.dot(v, hu), 1e-10 * Vectors.norm(hv) * Vectors.norm(u), "uᵀHv = vᵀHu");
        assertEquals(Vectors.dot(v, hv), net.curvatureAlong(loss, b, v), 1e-10 * Math.abs(Vectors.dot(v, hv)), "vᵀHv");

        double h = 1e-6;  // small enough that no max-pool argmax changes
        INDArray fdHv = NetworkCurvatureTest.gradientDifference(net, loss, b, v, h);
        assertClose(fdHv, hv, 1e-6, "CNN HVP vs finite differences of the gradient");

        INDArray g = Nd4j.zeros(DataType.DOUBLE, n);
        net.lossAndGradient(loss, b, g);
        INDArray w0 = net.parameters().dup();
        double dl = (lossAt(net, w0.add(v.mul(h)), loss, b) - lossAt(net, w0.sub(v.mul(h)), loss, b)) / (2 * h);
        net.parameters().assign(w0);
        assertEquals(dl, Vectors.dot(g, v), 1e-7 * Math.max(1, Math.abs(dl)), "CNN gradient along v");
    }

    private static double lossAt(Network net, INDArray w, Loss loss, Batch b) {
        net.parameters().assign(w);
        return net.loss(loss, b);
    }

    @Test void float32NetworkPredictsLikeFloat64() {
        Network net = smallCnn(DataType.DOUBLE);
        Network netF = net.copy(DataType.FLOAT);
        INDArray x = gaussian(new Random(50), 4, 2, 8, 8);
        INDArray y = net.predict(x);
        INDArray yF = netF.predict(x.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, yF.dataType());
        assertClose(y, yF.castTo(DataType.DOUBLE), 1e-5, "float32 CNN prediction");
    }

    /** The split backward is chosen by the allocator settings unless forced; an unknown mode is refused by name. */
    @Test void theSplitBackwardFollowsTheAllocatorSettings() {
        assertTrue(ConvOps.splitByDefault("auto", null), "glibc's defaults: the split");
        assertTrue(ConvOps.splitByDefault("auto", "glibc.malloc.trim_threshold=1"), "no huge pages: the split");
        assertFalse(ConvOps.splitByDefault("auto", "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=1073741824"), "the launcher's settings: conv2d_bp");
        assertTrue(ConvOps.splitByDefault("true", "glibc.malloc.hugetlb=1"));
        assertFalse(ConvOps.splitByDefault("false", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvOps.splitByDefault("yes", null));
        assertTrue(e.getMessage().contains("tuneless.conv.split=yes") && e.getMessage().contains("auto, true and false"), e.getMessage());
    }

    /** Stride-1 gradients from deconv2d and the batch/channel-swapped convolution equal conv2d_bp's (float64 and float32). */
    @Test void splitBackpropEqualsConv2dBp() {
        int[][] cases = {{3, 1}, {1, 0}, {3, 0}, {5, 2}};  // kernel, padding
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            for (int[] c : cases) {
                int k = c[0], p = c[1];
                Nd4j.getRandom().setSeed(31 + k + p);
                INDArray x = Nd4j.randn(type, 3, 4, 7, 6), w = Nd4j.randn(type, 5, 4, k, k);
                INDArray gy = Nd4j.randn(type, 3, 5, ConvOps.outSize(7, k, 1, p), ConvOps.outSize(6, k, 1, p));
                boolean was = ConvOps.setSplitBackprop(false);
                INDArray[] ref, split;
                try {
                    ref = ConvOps.conv2dBackprop(x, w, gy, k, 1, p);
                    ConvOps.setSplitBackprop(true);
                    split = ConvOps.conv2dBackprop(x, w, gy, k, 1, p);
                } finally {
                    ConvOps.setSplitBackprop(was);
                }
                double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
                for (int j = 0; j < 2; j++) {
                    assertArrayEquals(ref[j].shape(), split[j].shape());
                    double scale = 1 + ref[j].amaxNumber().doubleValue();
                    double diff = ref[j].sub(split[j]).amaxNumber().doubleValue();
                    assertTrue(diff <= tol * scale, type + " k" + k + " p" + p + (j == 0 ? " gx" : " gw") + ": max difference " + diff + " at scale " + scale);
                }
            }
        }
    }
}
