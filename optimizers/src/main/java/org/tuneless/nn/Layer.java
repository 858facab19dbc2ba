package org.tuneless.nn;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One differentiable layer of a {@link Network}, to second order. Shapes exclude the batch dimension.
 * Parameters arrive as views into the network's flat buffers, in the order of {@link #parameters(long[])}.
 *
 * <p>A layer is stateful between calls of one pass: {@code forward} keeps what {@code backward} needs, {@code jvp}
 * keeps the input tangent that {@code rBackward} needs. Every pass calls them in order forward → jvp → backward →
 * rBackward (the last three as needed), inside one ND4J workspace. Layers are therefore not thread-safe; build one
 * network per thread.
 *
 * <p>Notation along a curve θ(t) = θ + t·v with input x(t): ẋ, ẍ are the first and second input tangents.
 */
public abstract class Layer {

    private String name;
    private Mode mode = Mode.TRAIN;

    /**
     * What a pass is for. {@code TRAIN}: loss and gradient of a training step (dropout active, batch-norm uses and
     * updates batch statistics). {@code CURVATURE}: HVPs, uᵀHu and loss probes (dropout off, batch-norm uses batch
     * statistics without updating its running averages, so the curvature is that of the training loss on the batch).
     * {@code EVAL}: inference (dropout off, batch-norm uses its running averages). {@code STATISTICS}: forward passes
     * that re-estimate batch-norm running statistics at the current parameters (dropout off, batch-norm uses batch
     * statistics and sets its running averages to the plain mean over the consecutive STATISTICS passes, restarting
     * when the mode is entered; see {@link Network#recomputeStatistics}).
     */
    public enum Mode { TRAIN, CURVATURE, EVAL, STATISTICS }

    /** Sets the mode of this layer (and, in composite layers, of its children) for the following passes. */
    public void setMode(Mode mode) { this.mode = mode; }

    public final Mode mode() { return mode; }

    /**
     * Non-trainable state (e.g. batch-norm running mean and variance), as live arrays, in a fixed order; empty by
     * default. Copied by {@link Network#copy()} and saved with checkpoints.
     */
    public List<INDArray> buffers() { return List.of(); }

    /**
     * Names of {@link #buffers()}, one per buffer in the same order, relative to this layer (a block prefixes its
     * children's names with theirs, as for parameters: {@code bn1.running_mean}); used as tensor names in saved files.
     */
    public List<String> bufferNames() { return List.of(); }

    /** Short type name, e.g. {@code dense}, {@code relu}. */
    public abstract String kind();

    /** Unique name inside the network, assigned when the network is built (e.g. {@code dense0}). */
    public final String name() { return name == null ? kind() : name; }

    final void rename(String name) { this.name = name; }

    /** The parameter tensors this layer needs for the given input shape (none by default); no side effects. */
    public List<ParamSpec> parameters(long[] inputShape) { return List.of(); }

    /**
     * Prepares what the passes need for inputs of this shape (without batch): composite layers record how their
     * parameter tensors split among their children and bind each child to its input shape; batch norm allocates its
     * running statistics. Nothing by default. {@link Network} binds its layers once when it is built; a layer used on
     * its own is bound by its user before the first pass.
     */
    public void bind(long[] inputShape) {}

    public abstract long[] outputShape(long[] inputShape);

    /** A new layer with the same configuration and no cached state (for copying a network). */
    public abstract Layer freshCopy();

    /** y = f(x; θ). */
    public abstract INDArray forward(INDArray x, INDArray[] theta);

    /**
     * Vector–Jacobian product: writes ∂L/∂θ = J_θᵀ·gy into {@code grads} (overwriting; skipped when {@code grads} is
     * null, as in an HVP-only pass) and returns ∂L/∂x = J_xᵀ·gy (or null when {@code needInputGrad} is false).
     */
    public abstract INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad);

    /** Forward tangent ẏ = J_x·ẋ + J_θ·v; {@code dx} may be null (the input does not move). */
    public abstract INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v);

    /**
     * R-op of {@link #backward} (Pearlmutter 1994): given gy and its directional derivative R{gy}, writes
     * R{∂L/∂θ} (the layer's block of H·v) into {@code hv} and returns R{∂L/∂x}. Uses the ẋ kept by {@link #jvp}.
     */
    public abstract INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad);

    /**
     * {@link #rBackward} and then {@link #backward} on the same gy, returning {R{∂L/∂x}, ∂L/∂x} (entries null when
     * {@code needInputGrad} is false). Composite layers override it to walk their children once instead of twice.
     */
    public INDArray[] backwardWithR(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad) {
        INDArray rgx = rBackward(gy, rgy, theta, v, hv, needInputGrad);
        INDArray gx = backward(gy, theta, grads, needInputGrad);
        return new INDArray[]{rgx, gx};
    }

    /**
     * {@link #backwardWithR}, told whether the plain input gradient (the second result) is needed at all: in an
     * HVP-only walk (no weight gradients) the layers below may not read it (see {@link #rBackwardReadsGy}), and then
     * neither it nor the plain gy chain below is computed — for a ReLU MLP the first dense layer's input does not move,
     * so its R-op never reads gy, and the second layer's ∂L/∂x GEMM is saved. {@code gy} may then be null for a layer
     * whose {@link #rBackwardReadsGy} is false. By default: {@link #rBackward} alone when neither the plain input
     * gradient nor weight gradients are wanted, else {@link #backwardWithR}.
     */
    INDArray[] backwardWithR(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad,
            boolean needPlainInputGrad) {
        if (needPlainInputGrad || grads != null) return backwardWithR(gy, rgy, theta, v, grads, hv, needInputGrad);
        return new INDArray[]{rBackward(gy, rgy, theta, v, hv, needInputGrad), null};
    }

    /**
     * Whether {@link #rBackward} reads the plain gy it is given, after this pass's {@link #jvp} (which tells whether the
     * input moves) and with {@code needInputGrad} as it will be called. True unless a layer knows better (a dense or
     * convolution layer whose input does not move and whose R{∂L/∂x} is not wanted; ReLU, whose second derivative is
     * zero).
     */
    boolean rBackwardReadsGy(boolean needInputGrad) { return true; }

    /**
     * {@link #rBackward} alone, for repeated Hessian-vector products at fixed parameters and inputs
     * ({@link Network#hvpSession}): the plain backward pass gives the same gy every time, so a composite layer replays
     * the gy each child received in its last {@link #backwardWithR} walk instead of recomputing it (that walk must have
     * run outside workspaces, so that those arrays are still alive). A plain layer runs {@link #rBackward} on the gy
     * its parent hands it.
     */
    INDArray rBackwardReplay(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return rBackward(gy, rgy, theta, v, hv, needInputGrad);
    }

    /** The layers inside this one (composite layers), in order; empty for a plain layer. */
    public List<Layer> children() { return List.of(); }

    /**
     * Second-order (Taylor-mode) forward tangent: given (ẋ, ẍ) returns {ẏ, ÿ} along θ + t·v, where
     * ÿ = J_x·ẍ + D²f[(ẋ, v), (ẋ, v)]. Either input tangent may be null (zero).
     */
    public abstract INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v);
}
