package org.tuneless.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
import org.tuneless.tensor.SafeTensors;
import org.tuneless.tensor.Vectors;
import org.tuneless.tensor.Workspaces;

/**
 * A network: a root {@link Sequential} of layers whose parameters live in one flat buffer, with exact first- and
 * second-order passes: loss, gradient (reverse mode), Hessian-vector product (forward-over-reverse R-op) and uᵀHu
 * (second-order forward tangent). Every pass is the root block's; the network adds the flat buffer, its per-tensor
 * views, the mode (train/eval) and the batch checks. Each pass runs in an ND4J workspace and writes its results into
 * caller-provided vectors.
 *
 * <p>Not thread-safe (layers keep per-pass caches): use {@link #copy()} for another thread.
 */
public final class Network {

    private final Sequential root;
    private final List<Layer> layers;  // the root's children
    private final long[] inputShape;
    private final long[] outputShape;
    private final ParameterLayout layout;
    private final List<ParamSpec> specs;  // per tensor of the layout, for initialization
    private final INDArray params;
    private final INDArray[] theta;  // views of params, one per tensor of the layout
    private final java.util.Map<String, long[][]> planProbes = new java.util.concurrent.ConcurrentHashMap<>();  // memoryPlan's measurements, per loss
    private boolean training = true;

    private Network(List<Layer> layers, long[] inputShape, DataType type) {
        this.root = new Sequential("network", layers);
        this.layers = root.children();
        this.inputShape = inputShape.clone();
        root.bind(this.inputShape);
        this.outputShape = root.outputShape(this.inputShape);
        this.specs = List.copyOf(root.parameters(this.inputShape));
        List<ParameterTensor> tensors = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < layers.size(); i++) {
            int from = root.firstTensor(i), to = root.firstTensor(i + 1);
            for (int j = from; j < to; j++) {
                ParamSpec s = specs.get(j);
                tensors.add(new ParameterTensor(s.name(), this.layers.get(i).name(), s.shape(), offset, s.role(), s.fanIn(), s.fanOut()));
                offset += s.length();
            }
        }
        this.layout = new ParameterLayout(tensors);
        checkFits(offset, type);
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            this.params = Nd4j.zeros(type, Math.max(1, offset)).reshape(Math.max(1, offset));
        }
        this.theta = views(params);
    }

    public static Builder builder(long... inputShape) { return new Builder(inputShape); }

    /** Training holds about this many parameter-sized vectors at once: parameters, gradient, two optimizer moments. */
    static final int TRAINING_COPIES = 4;

    /**
     * Refuses, before allocating, a network whose training would not fit in memory: {@code TRAINING_COPIES} ×
     * parameters × bytes per element against the smaller of the machine's physical memory and the off-heap limit
     * ({@code -Dorg.bytedeco.javacpp.maxBytes}, by default the Java heap size). Allocating first would crash the JVM
     * in native code instead of failing with a message.
     */
    static void checkFits(long parameters, DataType type) {
        long perElement = type.width();
        long need = Math.multiplyHigh(parameters, TRAINING_COPIES * perElement) != 0 ? Long.MAX_VALUE : parameters * TRAINING_COPIES * perElement;
        long physical = org.bytedeco.javacpp.Pointer.totalPhysicalBytes();
        long offHeap = org.bytedeco.javacpp.Pointer.maxBytes();
        long limit = Math.min(physical > 0 ? physical : Long.MAX_VALUE, offHeap > 0 ? offHeap : Long.MAX_VALUE);
        if (need > limit) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "the network has %,d parameters (%s): training needs about %d × %.3g GB = %.3g GB, more than the %.3g GB available "
                            + "(physical memory %.3g GB, off-heap limit %.3g GB: -Xmx or -Dorg.bytedeco.javacpp.maxBytes); use smaller layers",
                    parameters, type, TRAINING_COPIES, parameters * (double) perElement / 1e9, parameters * (double) perElement * TRAINING_COPIES / 1e9,
                    limit / 1e9, physical / 1e9, offHeap / 1e9));
        }
    }

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

    private void mode(Layer.Mode wanted) { root.setMode(training ? wanted : Layer.Mode.EVAL); }

    /**
     * Re-estimates the batch-norm running statistics at the current parameters from forward passes on {@code inputs}
     * (batches of examples, batch first): each batch-norm layer's running mean and variance become the plain mean of
     * its batch statistics over these batches (as torch.optim.swa_utils.update_bn, or the forward passes in train mode
     * the Schedule-Free authors recommend before evaluating at x). Dropout is off, no gradient is taken and no random
     * stream advances. Does nothing for a network without buffers. The train/eval mode is unchanged.
     */
    public void recomputeStatistics(List<INDArray> inputs) {
        if (buffers().isEmpty() || inputs.isEmpty()) return;
        root.setMode(Layer.Mode.EVAL);  // so that the first STATISTICS pass restarts the mean
        for (INDArray x : inputs) {
            root.setMode(Layer.Mode.STATISTICS);
            try (MemoryWorkspace ws = Workspaces.pass("statistics")) {
                forward(inputs(new Batch(x, Nd4j.zeros(dataType(), x.size(0), outputShape[outputShape.length - 1]))));
            }
        }
        root.setMode(Layer.Mode.EVAL);
    }

    /** Non-trainable state of every layer (batch-norm running statistics), live, in a fixed order. */
    public List<INDArray> buffers() { return root.buffers(); }

    /** Names of {@link #buffers()}, in the same order (e.g. {@code bn1.running_mean}). */
    public List<String> bufferNames() { return root.bufferNames(); }

    /**
     * Every tensor of the model by name: the parameters in layout order ({@code dense0.W}, shaped as the layer uses them)
     * then the buffers ({@code bn1.running_mean}); live views. What {@link #save} writes.
     */
    public Map<String, INDArray> namedTensors() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (ParameterTensor t : layout.tensors()) out.put(t.name(), ParameterLayout.view(params, t));
        List<INDArray> bufs = buffers();
        List<String> names = bufferNames();
        if (names.size() != bufs.size()) throw new IllegalStateException("network has " + bufs.size() + " buffers but " + names.size() + " buffer names");
        for (int i = 0; i < bufs.size(); i++) out.put(names.get(i), bufs.get(i));
        return out;
    }

    /**
     * Saves the parameters and buffers to a safetensors file (tensor names from {@link #namedTensors()}; PyTorch and
     * NumPy read it), with {@code metadata} plus {@code tuneless.dtype} and {@code tuneless.parameters} in the header.
     * To reload the architecture too, save through {@code org.tuneless.run.ModelFiles}, which adds the model spec.
     */
    public void save(Path file, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("tuneless.dtype", dataType() == DataType.DOUBLE ? "float64" : "float32");
        meta.put("tuneless.parameters", Long.toString(layout.size()));
        try {
            SafeTensors.write(file, namedTensors(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    public void save(Path file) { save(file, Map.of()); }

    /** Loads parameters and buffers saved by {@link #save} into this network (same architecture); see {@link #assignTensors}. */
    public void load(Path file) {
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        assignTensors(c.tensors(), "model file " + file.toAbsolutePath());
    }

    /**
     * Overwrites every parameter and buffer from {@code tensors} (by {@link #namedTensors()} name). Every tensor of the
     * network must be present with its shape, and no other; values of another floating-point type are cast. A mismatch
     * is refused, naming {@code source}, the tensor and what differs, before anything is overwritten.
     */
    public void assignTensors(Map<String, INDArray> tensors, String source) {
        Map<String, INDArray> mine = namedTensors();
        for (Map.Entry<String, INDArray> e : mine.entrySet()) {
            INDArray t = tensors.get(e.getKey());
            if (t == null) throw new IllegalArgumentException(source + ": tensor '" + e.getKey() + "' is missing; the model has " + mine.keySet());
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(source + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but the model's is " + Arrays.toString(e.getValue().shape()) + " (a different architecture?)");
            }
            if (!t.dataType().isFPType()) throw new IllegalArgumentException(source + ": tensor '" + e.getKey() + "' is " + t.dataType() + ", not floating point");
        }
        for (String k : tensors.keySet()) {
            if (!mine.containsKey(k)) throw new IllegalArgumentException(source + ": tensor '" + k + "' is not part of the model; the model has " + mine.keySet());
        }
        for (Map.Entry<String, INDArray> e : mine.entrySet()) {
            INDArray t = tensors.get(e.getKey());
            e.getValue().assign(t.dataType() == e.getValue().dataType() ? t : t.castTo(e.getValue().dataType()));
        }
    }

    /**
     * The states of the network's random generators (dropout masks), one {@code {root, node}} pair per dropout layer
     * in depth-first order; empty without dropout. With {@link #restoreGeneratorStates} a resumed run draws the same masks.
     */
    public List<long[]> generatorStates() {
        List<long[]> out = new ArrayList<>();
        for (Dropout d : dropouts(root, new ArrayList<>())) out.add(d.generatorState());
        return out;
    }

    public void restoreGeneratorStates(List<long[]> states) {
        List<Dropout> ds = dropouts(root, new ArrayList<>());
        if (ds.size() != states.size()) throw new IllegalArgumentException("the network has " + ds.size() + " dropout generators, the saved state " + states.size());
        for (int i = 0; i < ds.size(); i++) ds.get(i).restoreGeneratorState(states.get(i));
    }

    private static List<Dropout> dropouts(Layer l, List<Dropout> out) {
        if (l instanceof Dropout d) out.add(d);
        for (Layer c : l.children()) dropouts(c, out);
        return out;
    }

    public long[] inputShape() { return inputShape.clone(); }

    public long[] outputShape() { return outputShape.clone(); }

    public ParameterLayout layout() { return layout; }

    /** The live flat parameter vector. */
    public INDArray parameters() { return params; }

    public long parameterCount() { return layout.size(); }

    public DataType dataType() { return params.dataType(); }

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

    /** One view of {@code flat} per tensor of the layout. */
    private INDArray[] views(INDArray flat) {
        return layout.size() == 0 ? new INDArray[0] : layout.views(flat).toArray(new INDArray[0]);
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
        passes++;
        return root.forward(x, theta);
    }

    /** Forward passes run so far: an {@link HvpSession} is valid only while no other pass has replaced its activations. */
    private long passes;

    /** Tests: the root block. */
    Sequential root() { return root; }

    /** Forward passes this network has run (every loss, gradient, HVP, uᵀHu and prediction pass starts with one). */
    public long forwardPasses() { return passes; }

    /** Network outputs for {@code inputs} (batch first), as a new array outside any workspace. */
    public INDArray predict(INDArray inputs) {
        mode(Layer.Mode.EVAL);
        try (MemoryWorkspace ws = Workspaces.pass("predict")) {
            INDArray y = forward(inputs(new Batch(inputs, Nd4j.zeros(dataType(), inputs.size(0), outputShape[outputShape.length - 1]))));
            return y.detach();
        }
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

    /**
     * How many examples to {@link #predict} at once so that a predict pass's workspace stays within {@code maxBytes}:
     * at least 1, at most {@code cap}. Evaluation chunks by it: a ResNet-18 on 28×28 images predicted 512 at a time
     * took 21 ms per image and a 4 GB workspace, against 6 ms per image at 16–128 (benchmarks/README.md, "Evaluation
     * chunks"), so a fixed row count is wrong for large models and a byte budget is right for every model.
     *
     * <p>Measured once per network, like {@link #memoryPlan}: predict passes on zero inputs of 1 and 2 examples (every
     * layer call scoped, as at the batch sizes planned), extrapolated as a + b·rows.
     */
    public long predictRows(long maxBytes, long cap) {
        if (maxBytes < 1 || cap < 1) throw new IllegalArgumentException("predictRows: maxBytes " + maxBytes + " and cap " + cap + " must be ≥ 1");
        String key = "predict" + (LayerScope.enabled() ? "" : ":unplanned");
        long[][] at = planProbes.computeIfAbsent(key, x -> new long[][]{{predictBytes(1)}, {predictBytes(2)}});
        long perRow = Math.max(1, at[1][0] - at[0][0]);
        long fixed = Math.max(0, at[0][0] - perRow);
        return Math.max(1, Math.min(cap, (maxBytes - fixed) / perRow));
    }

    /** Workspace bytes of a predict pass on {@code n} zero examples (running statistics are not touched in inference mode). */
    private long predictBytes(long n) {
        long[] in = new long[inputShape.length + 1];
        in[0] = n;
        System.arraycopy(inputShape, 0, in, 1, inputShape.length);
        INDArray x;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            x = Nd4j.zeros(dataType(), in);
        }
        boolean forced = LayerScope.force(true);
        try {
            LayerScope.resetPeak();
            predict(x);
            return Workspaces.lastPassBytes("predict") + LayerScope.peakBytes();
        } finally {
            LayerScope.force(forced);
        }
    }

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
            root.backward(e.gradient(), theta, views(gradientOut), false);
            return e.value();
        } finally {
            LayerScope.endHandOver();  // whatever a walk did not release (a view's base) is left to the garbage collector
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
            INDArray[] vs = views(v);
            INDArray x = forward(inputs(batch));
            INDArray dx = root.jvp(null, theta, vs);
            Loss.Evaluation e = Loss.evaluateRows(loss, x, targets(batch));
            INDArray rgy = dx == null ? null : e.hessianTimes(dx);
            boolean was = LayerScope.oneOffWalk(true);  // no session replays this walk: its gy chain can be freed as it goes
            try {
                root.backwardWithR(e.gradient(), rgy, theta, vs, gradientOut == null ? null : views(gradientOut), views(out), false);
            } finally {
                LayerScope.oneOffWalk(was);
            }
            return e.value();
        } finally {
            LayerScope.endHandOver();
        }
    }

    /**
     * Opens a session for many Hessian-vector products at the current parameters on one batch (power iteration, Lanczos,
     * Hutchinson): the forward pass and the loss run once, and each {@link HvpSession#apply} runs only the tangent
     * (R-op) and R-backward passes — bit-identical to {@link #hvp} (the same operations on the same values), without
     * repeating the forward pass and the loss. The parameters and the batch must not change while it is open, and no other pass of this
     * network may run in between (that is checked: {@code apply} then refuses).
     */
    public HvpSession hvpSession(Loss loss, Batch batch) { return new HvpSession(loss, batch); }

    /** See {@link #hvpSession}. The forward activations live outside workspaces until the session is closed. */
    public final class HvpSession implements AutoCloseable {
        private final Loss.Evaluation evaluation;
        private final long pass;
        private boolean first = true;
        private boolean closed;
        private long applications;

        private HvpSession(Loss loss, Batch batch) {
            mode(Layer.Mode.CURVATURE);
            try (MemoryWorkspace ignored = Workspaces.detached()) {
                INDArray x = forward(inputs(batch));
                evaluation = Loss.evaluateRows(loss, x, targets(batch));
                pass = passes;
            }
        }

        /** H·v into {@code out}; returns the loss (of the session's one forward pass). */
        public double apply(INDArray v, INDArray out) {
            if (closed) throw new IllegalStateException("this HVP session is closed; open a new one with Network.hvpSession");
            if (passes != pass) {
                throw new IllegalStateException("the network ran another pass since this HVP session started, so its saved activations are gone; "
                        + "open a new session (Network.hvpSession) after the other pass");
            }
            checkVector(v, "direction v");
            checkVector(out, "HVP output");
            mode(Layer.Mode.CURVATURE);
            // the first product runs outside workspaces too: what layers compute lazily from the forward pass on first
            // use (GELU's φ(x), an embedding's one-hot ids) and the plain backward walk's gy at every layer then survive
            // for the later products, which run only the tangent and the R-ops (the gy do not change while the
            // parameters and the batch stay); the later products' temporaries die with their workspace
            try (MemoryWorkspace ws = first ? Workspaces.detached() : Workspaces.pass("hvp")) {
                INDArray[] vs = views(v);
                INDArray dx = root.jvp(null, theta, vs);
                INDArray rgy = dx == null ? null : evaluation.hessianTimes(dx);
                if (first) root.backwardWithR(evaluation.gradient(), rgy, theta, vs, null, views(out), false);
                else root.rBackwardReplay(evaluation.gradient(), rgy, theta, vs, views(out), false);
            } finally {
                LayerScope.endHandOver();
            }
            first = false;
            applications++;
            return evaluation.value();
        }

        /** Products computed so far. */
        public long applications() { return applications; }

        /** Ends the session (its activations are released with the next pass). */
        @Override public void close() { closed = true; }
    }

    /**
     * The memory a pass of this network needs at a batch size: the bytes of ND4J workspace a gradient, an exact HVP and
     * a uᵀHu pass need (what the layers keep for the pass, plus the largest single layer call's scratch, see LayerScope), and the parameters' own bytes.
     *
     * <p>Measured, not modelled: a copy of this network (its running statistics untouched) runs each pass on zero
     * inputs at batch sizes 2 and 4, and the bytes are extrapolated as a + b·batch. That is exact where the pass's
     * temporaries are per-example arrays (activations, their tangents and gradients, im2col buffers: b·batch) plus
     * parameter-shaped ones (weight gradients, a: constant), which is what the engine allocates; {@code NetworkMemoryPlanTest}
     * checks it within 20% of the measured size on the zoo models at a batch it was not fitted on.
     */
    public MemoryPlan memoryPlan(long batch, Loss loss) {
        if (batch < 1) throw new IllegalArgumentException("memoryPlan: batch " + batch + " must be ≥ 1");
        // the probes depend on the architecture, the data type, the loss and the plan's switch, never on parameter values
        // (they run on zero inputs), so they are measured once per network and reused: CurvatureBatch.fit asks for
        // several batch sizes, and each probe is six passes
        String key = loss.getClass().getName() + (LayerScope.enabled() ? "" : ":unplanned");
        long[][] at = planProbes.computeIfAbsent(key, x -> new long[][]{measure(2, loss), measure(4, loss)});
        long[] predicted = new long[3];
        for (int k = 0; k < 3; k++) {
            double perExample = (at[1][k] - at[0][k]) / 2.0;
            predicted[k] = Math.max(0, Math.round(at[0][k] + perExample * (batch - 2)));
        }
        return new MemoryPlan(batch, predicted[0], predicted[1], predicted[2], parameterCount() * params.dataType().width());
    }

    /** {@link #memoryPlan(long, Loss)} with the cross-entropy loss (the loss's own share is one output-sized array). */
    public MemoryPlan memoryPlan(long batch) { return memoryPlan(batch, new SoftmaxCrossEntropy()); }

    /** Workspace bytes of a gradient, an HVP and a uᵀHu pass on a zero batch of {@code n} examples, on a copy. */
    long[] measure(long n, Loss loss) {
        Network probe = copy();
        long[] in = new long[inputShape.length + 1], out = new long[outputShape.length + 1];
        in[0] = n;
        out[0] = n;
        System.arraycopy(inputShape, 0, in, 1, inputShape.length);
        System.arraycopy(outputShape, 0, out, 1, outputShape.length);
        Batch b;
        INDArray v, g, hv;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            b = new Batch(Nd4j.zeros(dataType(), in), Nd4j.zeros(dataType(), out));
            v = Nd4j.zeros(dataType(), parameterCount());
            g = Nd4j.zeros(dataType(), parameterCount());
            hv = Nd4j.zeros(dataType(), parameterCount());
        }
        // a pass needs its own workspace (what the layers keep) plus the largest single layer call's scratch; the probes
        // scope every call, as the engine does at the (larger) batch being planned
        boolean forced = LayerScope.force(true);
        try {
            return measurePasses(probe, loss, b, v, g, hv);
        } finally {
            LayerScope.force(forced);
        }
    }

    private static long[] measurePasses(Network probe, Loss loss, Batch b, INDArray v, INDArray g, INDArray hv) {
        LayerScope.resetPeak();
        probe.lossAndGradient(loss, b, g);
        long gradient = Workspaces.lastPassBytes("gradient") + LayerScope.peakBytes();
        LayerScope.resetPeak();
        probe.hvp(loss, b, v, hv, null);
        long hvp = Workspaces.lastPassBytes("hvp") + LayerScope.peakBytes();
        LayerScope.resetPeak();
        probe.curvatureAlong(loss, b, v);
        long curvature = Workspaces.lastPassBytes("curvature") + LayerScope.peakBytes();
        return new long[]{gradient, hvp, curvature};
    }

    /**
     * What {@link #memoryPlan} reports: workspace bytes of one gradient, one exact HVP (an {@link HvpSession} keeps its
     * forward pass besides) and one uᵀHu pass at {@code batch}, and the parameters' bytes.
     */
    public record MemoryPlan(long batch, long gradientBytes, long hvpBytes, long curvatureBytes, long parameterBytes) {
        @Override public String toString() {
            return String.format(java.util.Locale.ROOT, "batch %d: gradient %s, HVP %s, uᵀHu %s of workspace; parameters %s", batch,
                    human(gradientBytes), human(hvpBytes), human(curvatureBytes), human(parameterBytes));
        }

        static String human(long bytes) {
            if (bytes >= 1L << 30) return String.format(java.util.Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
            if (bytes >= 1L << 20) return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
            return String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1024.0);
        }
    }

    /**
     * {@link #lossAndGradient}, keeping the pass's forward activations alive for one {@link ForwardKept#curvatureAlong}
     * along a direction chosen from this gradient (CDAT's uᵀHu with u the optimizer's update): that uᵀHu then runs only
     * the second-order tangent, not the forward pass again. The pass runs outside workspaces (its activations, the loss's
     * evaluation and what the layers compute lazily must survive it), in TRAIN mode as {@link #lossAndGradient} does; the
     * uᵀHu equals {@link #curvatureAlong} bit for bit on networks without dropout (whose TRAIN-mode forward is the
     * curvature-mode one), so {@link #curvatureReusesGradientPass} says whether to use it.
     */
    public ForwardKept lossAndGradientKeepingForward(Loss loss, Batch batch, INDArray gradientOut) {
        checkVector(gradientOut, "gradient vector");
        mode(Layer.Mode.TRAIN);
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            INDArray x = forward(inputs(batch));
            long pass = passes;
            Loss.Evaluation e = Loss.evaluateRows(loss, x, targets(batch));
            root.backward(e.gradient(), theta, views(gradientOut), false);
            return new ForwardKept(e, pass);
        } finally {
            LayerScope.endHandOver();
        }
    }

    /** Whether {@link ForwardKept#curvatureAlong} gives {@link #curvatureAlong}'s number here: no dropout layer (TRAIN mode draws masks). */
    public boolean curvatureReusesGradientPass() {
        return dropouts(root, new ArrayList<>()).isEmpty();
    }

    /** The forward pass of {@link #lossAndGradientKeepingForward}, for one uᵀHu at the same parameters and batch. */
    public final class ForwardKept {
        private final Loss.Evaluation evaluation;
        private final long pass;
        private boolean used;

        private ForwardKept(Loss.Evaluation evaluation, long pass) {
            this.evaluation = evaluation;
            this.pass = pass;
        }

        /** The mean loss of the pass. */
        public double value() { return evaluation.value(); }

        /**
         * Whether {@link #curvatureAlong} can still use this pass: it has not been used, and no other pass of the network
         * ran since. The parameters must not have changed either (the caller's contract, as for an {@link HvpSession}).
         */
        public boolean usable() { return !used && passes == pass; }

        /** uᵀHu at the pass's parameters and batch (see {@link #usable}); once. */
        public double curvatureAlong(INDArray u) {
            if (!usable()) {
                throw new IllegalStateException(used ? "this kept forward pass was used already; call Network.curvatureAlong"
                        : "the network ran another pass since this gradient pass, so its activations are gone; call Network.curvatureAlong");
            }
            checkVector(u, "direction u");
            used = true;  // what the second tangent computes lazily lives in its workspace only
            try (MemoryWorkspace ws = Workspaces.pass("curvature")) {
                return curvatureFrom(evaluation, root.secondTangent(null, null, theta, views(u)));
            }
        }
    }

    /** uᵀHu from the loss's evaluation at the outputs and the outputs' second-order tangent {ẏ, ÿ}: ẏᵀ∇²ℓ ẏ + ∇ℓᵀÿ. */
    private static double curvatureFrom(Loss.Evaluation e, INDArray[] t) {
        INDArray dx = t[0], ddx = t[1];
        if (dx == null) return 0.0;
        double curvature = Vectors.dot(dx, e.hessianTimes(dx));
        if (ddx != null) curvature += Vectors.dot(e.gradient(), ddx);
        return curvature;
    }

    /** uᵀH u = d²/dt² L(θ + t·u) at t = 0, by a second-order forward tangent (no backward pass). */
    public double curvatureAlong(Loss loss, Batch batch, INDArray u) {
        checkVector(u, "direction u");
        mode(Layer.Mode.CURVATURE);
        try (MemoryWorkspace ws = Workspaces.pass("curvature")) {
            INDArray x = forward(inputs(batch));
            INDArray[] t = root.secondTangent(null, null, theta, views(u));
            return curvatureFrom(Loss.evaluateRows(loss, x, targets(batch)), t);
        }
    }

    /** Parameter counts per top-level layer and in total. */
    public String summary() { return summary(false); }

    /** Parameter counts per layer and in total; {@code nested} also lists the layers inside blocks, indented. */
    public String summary(boolean nested) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %-18s %-18s %12s%n", "layer", "input", "output", "parameters"));
        long[] shape = inputShape;
        for (Layer l : layers) {
            summaryRow(sb, l, shape, "", nested);
            shape = l.outputShape(shape);
        }
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
            if (layers.isEmpty()) throw new IllegalArgumentException("a network needs at least one layer: add one before build(), e.g. Network.builder(784).dense(10)");
            return new Network(layers, inputShape, type).initialize(seed);
        }

        public Network build() { return build(DataType.FLOAT, 0); }
    }
}
