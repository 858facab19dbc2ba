package org.tuneless.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layers applied one after another, as one layer (a block of a ResNet, a transformer sub-layer). Its parameters are
 * its children's, in order, named {@code child.name} (e.g. {@code conv0.W}); every derivative is the chain rule over
 * the children, exactly as {@link Network} does at the top level.
 */
public final class Sequential extends Layer {

    private final String kind;
    private final List<Layer> children;
    private int[] paramStart;  // index in theta of each child's first tensor; paramStart[n] = total

    /** A block named after {@code kind} (e.g. {@code stem}, {@code block}) holding {@code layers} in order. */
    public Sequential(String kind, List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException(kind + ": a sequential block needs at least one layer");
        this.kind = kind;
        this.children = List.copyOf(layers);
        Map<String, Integer> count = new HashMap<>();
        for (Layer l : children) l.rename(l.kind() + (count.merge(l.kind(), 1, Integer::sum) - 1));
    }

    public Sequential(String kind, Layer... layers) { this(kind, Arrays.asList(layers)); }

    @Override public String kind() { return kind; }

    @Override public List<Layer> children() { return children; }

    @Override public Layer freshCopy() {
        List<Layer> fresh = new ArrayList<>();
        for (Layer l : children) fresh.add(l.freshCopy());
        return new Sequential(kind, fresh);
    }

    @Override public void setMode(Mode mode) {
        super.setMode(mode);
        for (Layer l : children) l.setMode(mode);
    }

    @Override public List<INDArray> buffers() {
        List<INDArray> out = new ArrayList<>();
        for (Layer l : children) out.addAll(l.buffers());
        return out;
    }

    @Override public List<ParamSpec> parameters(long[] inputShape) {
        List<ParamSpec> specs = new ArrayList<>();
        paramStart = new int[children.size() + 1];
        long[] shape = inputShape;
        for (int i = 0; i < children.size(); i++) {
            Layer l = children.get(i);
            paramStart[i] = specs.size();
            for (ParamSpec s : l.parameters(shape)) {
                specs.add(new ParamSpec(l.name() + "." + s.name(), s.shape(), s.role(), s.fanIn(), s.fanOut(), s.init()));
            }
            shape = l.outputShape(shape);
        }
        paramStart[children.size()] = specs.size();
        return specs;
    }

    @Override public long[] outputShape(long[] inputShape) {
        long[] shape = inputShape;
        for (Layer l : children) shape = l.outputShape(shape);
        return shape;
    }

    /** Child i's slice of a per-tensor array (theta, v, grads or hv), or null when {@code all} is null. */
    INDArray[] slice(INDArray[] all, int i) {
        if (all == null) return null;
        if (paramStart == null) throw new IllegalStateException(kind + ": parameters(inputShape) must be called before a pass");
        return Arrays.copyOfRange(all, paramStart[i], paramStart[i + 1]);
    }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        for (int i = 0; i < children.size(); i++) x = children.get(i).forward(x, slice(theta, i));
        return x;
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        for (int i = children.size() - 1; i >= 0; i--) {
            gy = children.get(i).backward(gy, slice(theta, i), slice(grads, i), i > 0 || needInputGrad);
        }
        return gy;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        for (int i = 0; i < children.size(); i++) dx = children.get(i).jvp(dx, slice(theta, i), slice(v, i));
        return dx;
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return backwardWithR(gy, rgy, theta, v, null, hv, needInputGrad)[0];
    }

    /** One reverse walk: each child's R-op and backward (the backward supplies the next child's gy). */
    @Override public INDArray[] backwardWithR(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad) {
        for (int i = children.size() - 1; i >= 0; i--) {
            boolean need = i > 0 || needInputGrad;
            INDArray[] r = children.get(i).backwardWithR(gy, rgy, slice(theta, i), slice(v, i), slice(grads, i), slice(hv, i), need);
            rgy = r[0];
            gy = r[1];
        }
        return new INDArray[]{rgy, gy};
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        for (int i = 0; i < children.size(); i++) {
            INDArray[] t = children.get(i).secondTangent(dx, ddx, slice(theta, i), slice(v, i));
            dx = t[0];
            ddx = t[1];
        }
        return new INDArray[]{dx, ddx};
    }
}
