package org.tuneless.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layers applied one after another, as one layer (a block of a ResNet, a transformer sub-layer, the whole of a
 * {@link Network}). Its parameters are its children's, in order, named {@code child.name} (e.g. {@code conv0.W});
 * every derivative is the chain rule over the children.
 */
public final class Sequential extends Layer {

    private final String kind;
    private final List<Layer> children;
    private int[] paramStart;  // index in theta of each child's first tensor; paramStart[n] = total; set by bind
    private List<INDArray> buffers = List.of();  // the children's buffers, collected by bind
    private INDArray[] thetaSeen;        // the entries of the last theta a pass received ...
    private INDArray[][] thetaOfChild;   // ... and their slice per child, reused while theta holds the same arrays
    private INDArray[] walkGy;  // the gy each child received in the last backwardWithR walk (see rBackwardReplay)
    private static volatile boolean prune = true;  // tests: compute the plain gy chain only where it is read (backwardWithR)

    /** Tests: prune the plain gy chain of HVP walks (default) or compute it all; returns the previous setting. */
    static boolean setPrunePlainChain(boolean on) {
        boolean was = prune;
        prune = on;
        return was;
    }

    /** Tests: the gy each child received in the last {@link #backwardWithR} walk (null where the walk did not compute it). */
    INDArray[] lastWalkGy() { return walkGy == null ? null : walkGy.clone(); }

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

    /** The children's buffers, in order (empty before {@link #bind}). */
    @Override public List<INDArray> buffers() { return buffers; }

    @Override public List<String> bufferNames() {
        List<String> names = new ArrayList<>();
        for (Layer l : children) for (String n : l.bufferNames()) names.add(l.name() + "." + n);
        return names;
    }

    @Override public List<ParamSpec> parameters(long[] inputShape) {
        List<ParamSpec> specs = new ArrayList<>();
        long[] shape = inputShape;
        for (Layer l : children) {
            for (ParamSpec s : l.parameters(shape)) {
                specs.add(new ParamSpec(l.name() + "." + s.name(), s.shape(), s.role(), s.fanIn(), s.fanOut(), s.init()));
            }
            shape = l.outputShape(shape);
        }
        return specs;
    }

    /** Binds each child to its input shape and records where each child's tensors start in theta. */
    @Override public void bind(long[] inputShape) {
        int[] start = new int[children.size() + 1];
        List<INDArray> bufs = new ArrayList<>();
        long[] shape = inputShape;
        for (int i = 0; i < children.size(); i++) {
            Layer l = children.get(i);
            l.bind(shape);
            start[i + 1] = start[i] + l.parameters(shape).size();
            bufs.addAll(l.buffers());
            shape = l.outputShape(shape);
        }
        paramStart = start;
        buffers = List.copyOf(bufs);
        thetaSeen = null;
        thetaOfChild = null;
    }

    @Override public long[] outputShape(long[] inputShape) {
        long[] shape = inputShape;
        for (Layer l : children) shape = l.outputShape(shape);
        return shape;
    }

    /** Index in theta of child i's first tensor ({@code i = children().size()} gives the total). */
    int firstTensor(int i) {
        requireBound();
        return paramStart[i];
    }

    private void requireBound() {
        if (paramStart == null) throw new IllegalStateException(kind + ": call bind(inputShape) before a pass (a Network binds its layers when it is built)");
    }

    /** Child i's slice of a per-tensor array (theta, v, grads or hv), or null when {@code all} is null. */
    INDArray[] slice(INDArray[] all, int i) {
        if (all == null) return null;
        requireBound();
        return Arrays.copyOfRange(all, paramStart[i], paramStart[i + 1]);
    }

    /**
     * Every child's slice of theta. A network passes the same parameter views on every pass, so the slices are cut
     * once and reused while theta holds the same arrays (compared by identity): no allocation per pass.
     */
    private INDArray[][] thetaSlices(INDArray[] theta) {
        if (theta == null) return null;
        if (!sameArrays(theta, thetaSeen)) {
            INDArray[][] out = new INDArray[children.size()][];
            for (int i = 0; i < out.length; i++) out[i] = slice(theta, i);
            thetaOfChild = out;
            thetaSeen = theta.clone();
        }
        return thetaOfChild;
    }

    private static boolean sameArrays(INDArray[] a, INDArray[] b) {
        if (b == null || a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private static INDArray[] at(INDArray[][] slices, int i) { return slices == null ? null : slices[i]; }

    @Override public INDArray forward(INDArray x, INDArray[] theta) {
        walkGy = null;  // a new pass: the last walk's gy are stale (and may hold an HVP session's detached arrays)
        INDArray[][] t = thetaSlices(theta);
        for (int i = 0; i < children.size(); i++) x = LayerScope.forward(children.get(i), x, at(t, i));
        return x;
    }

    @Override public INDArray backward(INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        INDArray[][] t = thetaSlices(theta);
        boolean mine = false;  // gy was handed over by a child of this walk (the caller's gy is the caller's)
        for (int i = children.size() - 1; i >= 0; i--) {
            // a composite child is not scoped: it walks (and hands over) its own children
            INDArray gx = LayerScope.backwardHandedOver(children.get(i), gy, at(t, i), slice(grads, i), i > 0 || needInputGrad);
            if (mine) LayerScope.release(gy, gx);  // consumed by child i: free it now, not at the end of the pass
            mine = LayerScope.isHandedOver(gx);
            gy = gx;
        }
        return gy;
    }

    @Override public INDArray jvp(INDArray dx, INDArray[] theta, INDArray[] v) {
        INDArray[][] t = thetaSlices(theta);
        for (int i = 0; i < children.size(); i++) dx = LayerScope.jvp(children.get(i), dx, at(t, i), slice(v, i));
        return dx;
    }

    @Override public INDArray rBackward(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return backwardWithR(gy, rgy, theta, v, null, hv, needInputGrad)[0];
    }

    /**
     * One reverse walk: each child's R-op and backward (the backward supplies the next child's gy). The gy each child
     * received is remembered for {@link #rBackwardReplay}.
     */
    @Override public INDArray[] backwardWithR(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad) {
        return backwardWithR(gy, rgy, theta, v, grads, hv, needInputGrad, needInputGrad);
    }

    /**
     * The walk of {@link #backwardWithR}, computing the plain gy chain only as far down as a child still needs it: child
     * i needs the gy it receives when it computes weight gradients, when its R-op reads gy ({@link Layer#rBackwardReadsGy})
     * or when a child below needs its plain input gradient.
     */
    @Override INDArray[] backwardWithR(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad,
            boolean needPlainInputGrad) {
        INDArray[][] t = thetaSlices(theta);
        int n = children.size();
        boolean[] plain = new boolean[n];  // plain[i]: child i needs the plain gy it receives
        for (int i = 0; i < n; i++) {
            boolean below = i == 0 ? needPlainInputGrad : plain[i - 1];
            plain[i] = !prune || below || grads != null || children.get(i).rBackwardReadsGy(i > 0 || needInputGrad);
        }
        if (walkGy == null || walkGy.length != n) walkGy = new INDArray[n];
        boolean mine = false, mineGy = false;  // rgy / gy handed over by a child of this walk (see backward)
        boolean oneOff = LayerScope.oneOffWalk();  // no replay follows: the gy chain is handed over too
        for (int i = n - 1; i >= 0; i--) {
            boolean need = i > 0 || needInputGrad;
            walkGy[i] = oneOff ? null : gy;
            Layer c = children.get(i);
            INDArray[] r = LayerScope.backwardWithRHandedOver(c, gy, rgy, at(t, i), slice(v, i), slice(grads, i), slice(hv, i), need,
                    i > 0 ? plain[i - 1] : needPlainInputGrad);
            if (mine) LayerScope.release(rgy, r[0], r[1]);
            if (mineGy) LayerScope.release(gy, r[0], r[1]);
            mine = LayerScope.isHandedOver(r[0]);
            mineGy = LayerScope.isHandedOver(r[1]);
            rgy = r[0];
            gy = r[1];
        }
        if (oneOff) walkGy = null;  // nothing to replay
        return new INDArray[]{rgy, gy};
    }

    /** The reverse walk's R-ops alone, each child on the gy it received in the last {@link #backwardWithR} walk. */
    @Override INDArray rBackwardReplay(INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        if (walkGy == null) throw new IllegalStateException(name() + ": no backward walk to replay; run backwardWithR first");
        INDArray[][] t = thetaSlices(theta);
        boolean mine = false;
        for (int i = children.size() - 1; i >= 0; i--) {
            Layer c = children.get(i);
            boolean need = i > 0 || needInputGrad;
            INDArray r = LayerScope.rBackwardReplayHandedOver(c, walkGy[i], rgy, at(t, i), slice(v, i), slice(hv, i), need);
            if (mine) LayerScope.release(rgy, r);
            mine = LayerScope.isHandedOver(r);
            rgy = r;
        }
        return rgy;
    }

    @Override public INDArray[] secondTangent(INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        INDArray[][] t = thetaSlices(theta);
        for (int i = 0; i < children.size(); i++) {
            INDArray[] r = LayerScope.secondTangent(children.get(i), dx, ddx, at(t, i), slice(v, i));
            dx = r[0];
            ddx = r[1];
        }
        return new INDArray[]{dx, ddx};
    }
}
