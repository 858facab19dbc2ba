package org.tuneless.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = body(x) + shortcut(x), the residual connection of ResNets and transformers (He et al. 2016). The shortcut is
 * the identity or a projection (e.g. a strided 1×1 convolution). Every derivative is the sum of the two branches'.
 * Parameters are named {@code body.…} and {@code shortcut.…}.
 */
public final class Residual extends Layer {

    private final Layer body;
    private final Layer shortcut;  // null = identity
    private final List<Layer> children;
    private int bodyCount = -1;  // set by bind
    private List<INDArray> buffers = List.of();  // collected by bind

    public Residual(Layer body) { this(body, null); }

    public Residual(Layer body, Layer shortcut) {
        this.body = body;
        this.shortcut = shortcut;
        this.children = shortcut == null ? List.of(body) : List.of(body, shortcut);
        body.rename("body");
        if (shortcut != null) shortcut.rename("shortcut");
    }

    @Override public String kind() { return "residual"; }

    @Override public List<Layer> children() { return children; }

    public Layer body() { return body; }

    /** The projection on the skip path, or null for the identity. */
    public Layer shortcut() { return shortcut; }

    @Override public Layer freshCopy() { return new Residual(body.freshCopy(), shortcut == null ? null : shortcut.freshCopy()); }

    @Override public void setMode(Mode mode) {
        super.setMode(mode);
        body.setMode(mode);
        if (shortcut != null) shortcut.setMode(mode);
    }

    /** The body's buffers, then the shortcut's (empty before {@link #bind}). */
    @Override public List<INDArray> buffers() { return buffers; }

    @Override public List<String> bufferNames() {
        List<String> names = new ArrayList<>();
        for (String n : body.bufferNames()) names.add("body." + n);
        if (shortcut != null) for (String n : shortcut.bufferNames()) names.add("shortcut." + n);
        return names;
    }

    private void requireMatchingShapes(long[] in) {
        long[] viaBody = body.outputShape(in), viaSkip = shortcut == null ? in : shortcut.outputShape(in);
        if (!Arrays.equals(viaBody, viaSkip)) {
            throw new IllegalArgumentException("residual: the body maps " + Arrays.toString(in) + " to " + Arrays.toString(viaBody)
                    + " but the shortcut gives " + Arrays.toString(viaSkip) + "; add a projection shortcut (e.g. a strided 1x1 conv) that matches");
        }
    }

    @Override public List<ParamSpec> parameters(long[] in) {
        requireMatchingShapes(in);
        List<ParamSpec> specs = new ArrayList<>();
        for (ParamSpec s : body.parameters(in)) specs.add(prefixed("body", s));
        if (shortcut != null) for (ParamSpec s : shortcut.parameters(in)) specs.add(prefixed("shortcut", s));
        return specs;
    }

    /** Binds both branches to the input shape and records where the shortcut's tensors start. */
    @Override public void bind(long[] in) {
        requireMatchingShapes(in);
        body.bind(in);
        List<INDArray> bufs = new ArrayList<>(body.buffers());
        if (shortcut != null) {
            shortcut.bind(in);
            bufs.addAll(shortcut.buffers());
        }
        bodyCount = body.parameters(in).size();
        buffers = List.copyOf(bufs);
    }

    private static ParamSpec prefixed(String prefix, ParamSpec s) {
        return new ParamSpec(prefix + "." + s.name(), s.shape(), s.role(), s.fanIn(), s.fanOut(), s.init());
    }

    @Override public long[] outputShape(long[] in) { return body.outputShape(in); }

    /** Number of parameter tensors of the body (the shortcut's follow). */
    int bodyTensorCount() { return bodyCount; }

    INDArray[] bodyPart(INDArray[] all) { return all == null ? null : Arrays.copyOfRange(all, 0, bound()); }

    INDArray[] skipPart(INDArray[] all) { return all == null ? null : Arrays.copyOfRange(all, bound(), all.length); }

    private int bound() {
        if (bodyCount < 0) throw new IllegalStateException("residual: call bind(inputShape) before a pass (a Network binds its layers when it is built)");
        return bodyCount;
    }

    /** a + b as a new array (children may return arrays they keep), where either may be null (a zero tangent). */
    private static INDArray plus(INDArray a, INDArray b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.add(b);
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        INDArray y = body.forward(x, bodyPart(theta));
        INDArray s = shortcut == null ? x : LayerScope.forward(shortcut, x, skipPart(theta));
        return y.add(s);
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        INDArray gx = body.backward(gy, bodyPart(theta), bodyPart(grads), needInputGrad);
        INDArray gs = shortcut == null ? (needInputGrad ? gy : null)
                : LayerScope.backwardHandedOver(shortcut, gy, skipPart(theta), skipPart(grads), needInputGrad);
        if (!needInputGrad) return null;
        // the sum goes where the body's input gradient went (outside the workspaces when it was handed over), and the
        // two terms, when handed over, are freed here
        return sumHandedOver(gx, gs, gy);
    }

    /**
     * a + b for the backward walks: outside the workspaces (a hand-over array) when {@code a}, the body's input
     * gradient, was handed over, and then a and b (unless b is the block's own {@code incoming} array) are released.
     */
    private static INDArray sumHandedOver(INDArray a, INDArray b, INDArray incoming) {
        INDArray sum;
        if (a != null && b != null && LayerScope.isHandedOver(a)) {
            sum = LayerScope.handedOverSum(a, b);
        } else {
            sum = plus(a, b);
        }
        if (b != incoming) LayerScope.release(b, sum);
        LayerScope.release(a, sum);
        return sum;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        INDArray dy = body.jvp(dx, bodyPart(theta), bodyPart(v));
        INDArray ds = shortcut == null ? dx : LayerScope.jvp(shortcut, dx, skipPart(theta), skipPart(v));
        return plus(dy, ds);
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return backwardWithR(gy, rgy, theta, v, null, hv, needInputGrad)[0];
    }

    @Override public INDArray[] backwardWithR(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad) {
        INDArray[] b = body.backwardWithR(gy, rgy, bodyPart(theta), bodyPart(v), bodyPart(grads), bodyPart(hv), needInputGrad);
        if (!needInputGrad) {
            if (shortcut != null) LayerScope.backwardWithR(shortcut, gy, rgy, skipPart(theta), skipPart(v), skipPart(grads), skipPart(hv), false);
            return new INDArray[]{null, null};
        }
        boolean oneOff = LayerScope.oneOffWalk();  // the gy chain is handed over too (Sequential.backwardWithR)
        if (shortcut == null) {
            return new INDArray[]{sumHandedOver(b[0], rgy, rgy), oneOff ? sumHandedOver(b[1], gy, gy) : plus(b[1], gy)};
        }
        INDArray[] s = LayerScope.backwardWithRHandedOver(shortcut, gy, rgy, skipPart(theta), skipPart(v), skipPart(grads), skipPart(hv), true, true);
        return new INDArray[]{sumHandedOver(b[0], s[0], rgy), oneOff ? sumHandedOver(b[1], s[1], gy) : plus(b[1], s[1])};
    }

    /** The R-ops of body and shortcut alone, on the gy this block received (see {@link Layer#rBackwardReplay}). */
    @Override INDArray rBackwardReplay(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        INDArray rb = body.rBackwardReplay(gy, rgy, bodyPart(theta), bodyPart(v), bodyPart(hv), needInputGrad);
        if (!needInputGrad) {
            if (shortcut != null) LayerScope.rBackwardReplay(shortcut, gy, rgy, skipPart(theta), skipPart(v), skipPart(hv), false);
            return null;
        }
        if (shortcut == null) return sumHandedOver(rb, rgy, rgy);
        return sumHandedOver(rb, LayerScope.rBackwardReplayHandedOver(shortcut, gy, rgy, skipPart(theta), skipPart(v), skipPart(hv), true), rgy);
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        INDArray[] b = body.secondTangent(dx, ddx, bodyPart(theta), bodyPart(v));
        INDArray[] s = shortcut == null ? new INDArray[]{dx, ddx} : LayerScope.secondTangent(shortcut, dx, ddx, skipPart(theta), skipPart(v));
        return new INDArray[]{plus(b[0], s[0]), plus(b[1], s[1])};
    }
}
