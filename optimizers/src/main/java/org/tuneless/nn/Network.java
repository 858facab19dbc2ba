package org.tuneless.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Vectors;
import org.tuneless.tensor.Workspaces;

/**
 * A sequential network whose parameters live in one flat buffer, with exact first- and second-order passes:
 * loss, gradient (reverse mode), Hessian-vector product (forward-over-reverse R-op) and uᵀHu (second-order forward
 * tangent). Each pass runs in an ND4J workspace and writes its results into caller-provided vectors.
 *
 * <p>Not thread-safe (layers keep per-pass caches): use {@link #copy()} for another thread.
 */
public final class Network {

    private final List<Layer> layers;
    private final long[] inputShape;
    private final long[] outputShape;
    private final ParameterLayout layout;
    private final INDArray params;
    private final int[][] tensorsOfLayer;
    private final INDArray[][] paramViews;
    private final List<long[]> inputShapes;
    private final List<ParamSpec> specs;
    private boolean training = true;

    private Network(List<Layer> layers, long[] inputShape, DataType type) {
        this.layers = List.copyOf(layers);
        this.inputShape = inputShape.clone();
        List<ParameterTensor> tensors = new ArrayList<>();
        List<ParamSpec> specs = new ArrayList<>();
        this.tensorsOfLayer = new int[layers.size()][];
        this.inputShapes = new ArrayList<>();
        Map<String, Integer> kindCount = new HashMap<>();
        long[] shape = inputShape.clone();
        long offset = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int k = kindCount.merge(layer.kind(), 1, Integer::sum) - 1;
            layer.rename(layer.kind() + k);
            inputShapes.add(shape);
            List<ParamSpec> own = layer.parameters(shape);
            tensorsOfLayer[i] = new int[own.size()];
            for (int j = 0; j < own.size(); j++) {
                ParamSpec s = own.get(j);
                tensorsOfLayer[i][j] = tensors.size();
                tensors.add(new ParameterTensor(layer.name() + "." + s.name(), layer.name(), s.shape(), offset, s.role(), s.fanIn(), s.fanOut()));
                specs.add(s);
                offset += s.length();
            }
            shape = layer.outputShape(shape);
        }
        this.outputShape = shape;
        this.layout = new ParameterLayout(tensors);
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            this.params = Nd4j.zeros(type, Math.max(1, offset)).reshape(Math.max(1, offset));
        }
        this.paramViews = slices(params);
        this.specs = List.copyOf(specs);
    }

    public static Builder builder(long... inputShape) { return new Builder(inputShape); }

    /** Initializes every parameter from {@code seed} (same seed ⇒ same weights). */
    public Network initialize(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<ParameterTensor> tensors = layout.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            ParameterTensor t = tensors.get(i);
            INDArray view = ParameterLayout.view(params, t);
            specs.get(i).init().fill(view, t.fanIn(), t.fanOut(), rng.split());
        }
        return this;
    }

    public List<Layer> layers() { return layers; }

    /**
     * Training mode (the default): gradients see dropout and batch statistics (updating batch-norm running averages);
     * HVPs, uᵀHu and loss probes use batch statistics without dropout. See {@link Layer.Mode}.
     */
    public Network train() {
        training = true;
        return this;
    }

    /** Evaluation mode: every pass (including HVPs) uses running statistics and no dropout. */
    public Network eval() {
        training = false;
        return this;
    }

    public boolean isTraining() { return training; }

    private void mode(Layer.Mode wanted) {
        Layer.Mode m = training ? wanted : Layer.Mode.EVAL;
        for (Layer l : layers) if (l.mode() != m || !l.children().isEmpty()) l.setMode(m);
    }

    /** Non-trainable state of every layer (batch-norm running statistics), live, in a fixed order. */
    public List<INDArray> buffers() {
        List<INDArray> out = new ArrayList<>();
        for (Layer l : layers) out.addAll(l.buffers());
        return out;
    }

    public long[] inputShape() { return inputShape.clone(); }

    public long[] outputShape() { return outputShape.clone(); }

    public ParameterLayout layout() { return layout; }

    /** The live flat parameter vector. */
    public INDArray parameters() { return params; }

    public long parameterCount() { return layout.size(); }

    public DataType dataType() { return params.dataType(); }

    /** Input shape (without batch) of layer i. */
    public long[] inputShapeOf(int layerIndex) { return inputShapes.get(layerIndex).clone(); }

    /** The same architecture and parameter values, as a new independent network (for another thread or type). */
    public Network copy(DataType type) {
        List<Layer> fresh = new ArrayList<>();
        for (Layer l : layers) fresh.add(l.freshCopy());
        Network n = new Network(fresh, inputShape, type);
        n.params.assign(params.castTo(type));
        List<INDArray> mine = buffers(), theirs = n.buffers();
        for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++) theirs.get(i).assign(mine.get(i).castTo(theirs.get(i).dataType()));
        n.training = training;
        return n;
    }

    public Network copy() { return copy(dataType()); }

    private INDArray[][] slices(INDArray flat) {
        List<INDArray> views = layout.size() == 0 ? List.of() : layout.views(flat);
        INDArray[][] out = new INDArray[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            out[i] = new INDArray[tensorsOfLayer[i].length];
            for (int j = 0; j < tensorsOfLayer[i].length; j++) out[i][j] = views.get(tensorsOfLayer[i][j]);
        }
        return out;
    }

    private void checkVector(INDArray v, String what) {
        if (v.length() != layout.size()) {
            throw new IllegalArgumentException(what + " has length " + v.length() + " but the network has " + layout.size() + " parameters");
        }
        if (v.dataType() != dataType()) {
            throw new IllegalArgumentException(what + " is " + v.dataType() + " but the network is " + dataType());
        }
    }

    private INDArray inputs(Batch batch) {
        INDArray x = batch.inputs();
        long per = 1;
        for (long d : inputShape) per *= d;
        long[] want = new long[inputShape.length + 1];
        want[0] = x.size(0);
        System.arraycopy(inputShape, 0, want, 1, inputShape.length);
        if (!Arrays.equals(x.shape(), want)) {
            if (x.length() != x.size(0) * per) {
                throw new IllegalArgumentException("inputs have shape " + Arrays.toString(x.shape()) + " but the network expects "
                        + Arrays.toString(inputShape) + " per example");
            }
            x = x.reshape('c', want);
        }
        return x.dataType() == dataType() ? x : x.castTo(dataType());
    }

    private INDArray targets(Batch batch) {
        INDArray t = batch.targets();
        long[] want = new long[outputShape.length + 1];
        want[0] = t.size(0);
        System.arraycopy(outputShape, 0, want, 1, outputShape.length);
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException("targets have shape " + Arrays.toString(t.shape()) + " but the network outputs "
                    + Arrays.toString(outputShape) + " per example");
        }
        return t.dataType() == dataType() ? t : t.castTo(dataType());
    }

    private INDArray forward(INDArray x) {
        for (int i = 0; i < layers.size(); i++) x = layers.get(i).forward(x, paramViews[i]);
        return x;
    }

    /** Network outputs for {@code inputs} (batch first), as a new array outside any workspace. */
    public INDArray predict(INDArray inputs) {
        mode(Layer.Mode.EVAL);
        try (MemoryWorkspace ws = Workspaces.pass("predict")) {
            INDArray y = forward(inputs(new Batch(inputs, Nd4j.zeros(dataType(), inputs.size(0), outputShape[outputShape.length - 1]))));
            return y.detach();
        }
    }

    /**
     * The input of every layer on this batch (index i = what layer i received; the last entry is the network output),
     * detached from the workspace. ECCO-DNN's activation limiter reads the pre-activations of the layers feeding a ReLU.
     */
    public List<INDArray> layerInputs(Batch batch) {
        List<INDArray> out = new ArrayList<>(layers.size() + 1);
        mode(Layer.Mode.CURVATURE);
        try (MemoryWorkspace ws = Workspaces.pass("inputs")) {
            INDArray x = inputs(batch);
            for (int i = 0; i < layers.size(); i++) {
                out.add(x.detach());
                x = layers.get(i).forward(x, paramViews[i]);
            }
            out.add(x.detach());
        }
        return out;
    }

    /**
     * Runs a forward pass on {@code batch} in curvature mode and then {@code inside}, in one workspace, so that the
     * layers' per-pass caches (e.g. {@link Relu}'s last input) hold this batch's activations while {@code inside} reads
     * them. Package-private: the ReLU-input traversal ({@link NetworkReluInputs}) builds on it.
     */
    void withForwardPass(Batch batch, Runnable inside) {
        mode(Layer.Mode.CURVATURE);
        try (MemoryWorkspace ws = Workspaces.pass("relu-inputs")) {
            forward(inputs(batch));
            inside.run();
        }
    }

    /** Parameter views of layer i (into the live parameter vector), in the order of its {@link Layer#parameters}. */
    public INDArray[] parametersOf(int layerIndex) { return paramViews[layerIndex].clone(); }

    /** Indices in {@link #layout()} of layer i's parameter tensors. */
    public int[] tensorIndicesOf(int layerIndex) { return tensorsOfLayer[layerIndex].clone(); }

    /** Mean loss on the batch. */
    public double loss(Loss loss, Batch batch) {
        mode(Layer.Mode.CURVATURE);
        try (MemoryWorkspace ws = Workspaces.pass("loss")) {
            return Loss.evaluateRows(loss, forward(inputs(batch)), targets(batch)).value();
        }
    }

    /** Mean loss; writes its gradient into {@code gradientOut}. */
    public double lossAndGradient(Loss loss, Batch batch, INDArray gradientOut) {
        checkVector(gradientOut, "gradient vector");
        mode(Layer.Mode.TRAIN);
        try (MemoryWorkspace ws = Workspaces.pass("gradient")) {
            Loss.Evaluation e = Loss.evaluateRows(loss, forward(inputs(batch)), targets(batch));
            INDArray[][] g = slices(gradientOut);
            INDArray gy = e.gradient();
            for (int i = layers.size() - 1; i >= 0; i--) {
                gy = layers.get(i).backward(gy, paramViews[i], g[i], i > 0);
            }
            return e.value();
        }
    }

    /**
     * Exact Hessian-vector product H·v on the batch (forward-over-reverse, Pearlmutter's R-op); optionally also the
     * gradient (pass null to skip). Returns the loss.
     */
    public double hvp(Loss loss, Batch batch, INDArray v, INDArray out, INDArray gradientOut) {
        checkVector(v, "direction v");
        checkVector(out, "HVP output");
        mode(Layer.Mode.CURVATURE);
        try (MemoryWorkspace ws = Workspaces.pass("hvp")) {
            INDArray x = inputs(batch);
            INDArray[][] vs = slices(v);
            INDArray dx = null;
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                x = layer.forward(x, paramViews[i]);
                dx = layer.jvp(dx, paramViews[i], vs[i]);
            }
            Loss.Evaluation e = Loss.evaluateRows(loss, x, targets(batch));
            INDArray gy = e.gradient();
            INDArray rgy = dx == null ? null : e.hessianTimes(dx);
            INDArray[][] hv = slices(out);
            INDArray[][] g = gradientOut != null ? slices(gradientOut) : null;
            for (int i = layers.size() - 1; i >= 0; i--) {
                INDArray[] r = layers.get(i).backwardWithR(gy, rgy, paramViews[i], vs[i], g == null ? null : g[i], hv[i], i > 0);
                rgy = r[0];
                gy = r[1];
            }
            return e.value();
        }
    }

    /** uᵀH u = d²/dt² L(θ + t·u) at t = 0, by a second-order forward tangent (no backward pass). */
    public double curvatureAlong(Loss loss, Batch batch, INDArray u) {
        checkVector(u, "direction u");
        mode(Layer.Mode.CURVATURE);
        try (MemoryWorkspace ws = Workspaces.pass("curvature")) {
            INDArray x = inputs(batch);
            INDArray[][] us = slices(u);
            INDArray dx = null, ddx = null;
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                x = layer.forward(x, paramViews[i]);
                INDArray[] t = layer.secondTangent(dx, ddx, paramViews[i], us[i]);
                dx = t[0];
                ddx = t[1];
            }
            Loss.Evaluation e = Loss.evaluateRows(loss, x, targets(batch));
            if (dx == null) return 0.0;
            double curvature = Vectors.dot(dx, e.hessianTimes(dx));
            if (ddx != null) curvature += Vectors.dot(e.gradient(), ddx);
            return curvature;
        }
    }

    /** Parameter counts per top-level layer and in total. */
    public String summary() { return summary(false); }

    /** Parameter counts per layer and in total; {@code nested} also lists the layers inside blocks, indented. */
    public String summary(boolean nested) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %-18s %-18s %12s%n", "layer", "input", "output", "parameters"));
        for (int i = 0; i < layers.size(); i++) summaryRow(sb, layers.get(i), inputShapes.get(i), "", nested);
        sb.append(String.format("total parameters: %,d (%s)%n", layout.size(), dataType()));
        return sb.toString();
    }

    private static long count(Layer l, long[] in) {
        long n = 0;
        for (ParamSpec s : l.parameters(in)) n += s.length();
        return n;
    }

    private static void summaryRow(StringBuilder sb, Layer l, long[] in, String indent, boolean nested) {
        sb.append(String.format("%-24s %-18s %-18s %,12d%n", indent + l.name(), Arrays.toString(in), Arrays.toString(l.outputShape(in)), count(l, in)));
        if (!nested) return;
        if (l instanceof Sequential) {
            long[] shape = in;
            for (Layer c : l.children()) {
                summaryRow(sb, c, shape, indent + "  ", true);
                shape = c.outputShape(shape);
            }
        } else {
            for (Layer c : l.children()) summaryRow(sb, c, in, indent + "  ", true);
        }
    }

    /** Builds a {@link Network} layer by layer: {@code Network.builder(784).dense(256).relu().dense(10).build(DataType.FLOAT, 0)}. */
    public static final class Builder {
        private final long[] inputShape;
        private final List<Layer> layers = new ArrayList<>();
        private Init weightInit = Init.HE;

        private Builder(long[] inputShape) {
            if (inputShape.length == 0) throw new IllegalArgumentException("input shape must have at least one dimension");
            for (long d : inputShape) {
                if (d <= 0) throw new IllegalArgumentException("input shape " + Arrays.toString(inputShape) + " has a non-positive dimension");
            }
            this.inputShape = inputShape.clone();
        }

        /** Initializer for the weights of layers added after this call (He by default). */
        public Builder weightInit(Init init) {
            this.weightInit = init;
            return this;
        }

        public Builder add(Layer layer) {
            layers.add(layer);
            return this;
        }

        public Builder dense(long units) { return add(new Dense(units, true, weightInit)); }

        public Builder dense(long units, boolean bias) { return add(new Dense(units, bias, weightInit)); }

        public Builder relu() { return add(new Relu()); }

        public Builder tanh() { return add(new Tanh()); }

        public Builder gelu() { return add(new Gelu()); }

        public Builder flatten() { return add(new Flatten()); }

        /** k×k convolution with {@code channels} outputs, stride s, zero padding p, with a bias. */
        public Builder conv2d(long channels, int kernel, int stride, int padding) { return add(new Conv2d(channels, kernel, stride, padding, true, weightInit)); }

        public Builder maxPool(int kernel, int stride) { return add(new MaxPool2d(kernel, stride)); }

        public Builder avgPool(int kernel, int stride) { return add(new AvgPool2d(kernel, stride, 0)); }

        public Builder globalAvgPool() { return add(new GlobalAvgPool()); }

        public Builder layerNorm() { return add(new LayerNorm()); }

        public Builder batchNorm() { return add(new BatchNorm()); }

        public Builder dropout(double rate, long seed) { return add(new Dropout(rate, seed)); }

        /** Builds the network in the given floating-point type and initializes its parameters from {@code seed}. */
        public Network build(DataType type, long seed) {
            if (type != DataType.FLOAT && type != DataType.DOUBLE) {
                throw new IllegalArgumentException("networks are float32 (FLOAT) or float64 (DOUBLE), not " + type);
            }
            return new Network(layers, inputShape, type).initialize(seed);
        }

        public Network build() { return build(DataType.FLOAT, 0); }
    }
}
