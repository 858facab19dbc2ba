package org.tuneless.nn;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.Workspaces;

/**
 * The memory plan of a pass: each call of a plain layer (forward, jvp, backward, their R- and second-order forms) runs
 * in a per-thread scratch workspace that is reset when the call returns, so the layer's temporaries (batch-norm's
 * centred squares, the products of its backward pass, a convolution's transposed gradients, …) die with the call
 * instead of living until the whole pass ends. What must outlive the call is copied once into the enclosing pass
 * workspace: the array the call returns, and every array the layer kept in a field (its saved activations, lazily
 * computed caches). A pass's peak is then ≈ what the layers keep plus the largest single call's temporaries.
 *
 * <p>Fields are found by reflection (every {@code INDArray} and {@code INDArray[]} field of the layer's class and its
 * superclasses up to {@link Layer}), so a layer cannot forget to declare what it keeps. An array kept twice (the same
 * object in two fields, or returned and kept) is copied once. Arrays outside the scratch workspace (inputs, detached
 * parameters and running statistics) are left alone.
 *
 * <p>Composite layers ({@link Sequential}, {@link Residual}) are not scoped themselves; they scope their plain
 * children. Calls on inputs below 2¹⁸ elements run unscoped (a scope's fixed cost would show on small steps; their
 * temporaries are small). {@link #setEnabled} switches the plan off (every temporary then lives until the pass ends, as before), for
 * comparison; results are the same either way (copies are exact).
 */
final class LayerScope implements AutoCloseable {

    private static final String ID = "layer-scratch";
    private static volatile boolean enabled = !"false".equals(System.getProperty("tuneless.memoryPlan", "true"));
    private static volatile boolean skipState;  // tests only: leave kept state in the scratch workspace (a bug to catch)
    private static final ThreadLocal<long[]> PEAK = ThreadLocal.withInitial(() -> new long[1]);

    private static final ClassValue<Field[]> STATE = new ClassValue<>() {
        @Override protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Layer.class && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) continue;
                    if (f.getType() != INDArray.class && f.getType() != INDArray[].class) continue;
                    if (Modifier.isFinal(f.getModifiers())) {
                        throw new IllegalStateException(c.getName() + "." + f.getName()
                                + ": a layer's array fields must not be final (LayerScope moves them out of the scratch workspace)");
                    }
                    f.setAccessible(true);
                    fields.add(f);
                }
            }
            return fields.toArray(new Field[0]);
        }
    };

    private final MemoryWorkspace scratch;
    private final Map<INDArray, INDArray> moved = new IdentityHashMap<>();

    private LayerScope(MemoryWorkspace scratch) { this.scratch = scratch; }

    /** Whether plain layers' calls run in scratch workspaces (default true; {@code -Dtuneless.memoryPlan=false} turns it off). */
    static void setEnabled(boolean on) { enabled = on; }

    /** Whether the plan is on (the memory plan's probes measure what the engine will do). */
    static boolean enabled() { return enabled; }

    /** Tests only: skip moving layer state out of the scratch workspace, to show that the checks catch it. */
    static void skipStateForTesting(boolean skip) { skipState = skip; }

    // calls on smaller arrays run unscoped: a scope costs tens of microseconds (workspace entry and exit, the field scan,
    // the copies), which a demo-sized MLP step (≈ 3 ms, 12 layer calls) would feel, while their temporaries are small
    private static volatile long minElements = Long.getLong("tuneless.memoryPlan.minElements", 1L << 18);
    private static final ThreadLocal<boolean[]> FORCED = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Whether a call of {@code layer} on {@code input} gets a scratch scope: plain layers on large inputs, while the plan is on. */
    static boolean applies(Layer layer, INDArray input) {
        if (!enabled || !layer.children().isEmpty() || input == null) return false;
        return input.length() >= minElements || FORCED.get()[0];
    }

    /** Tests: the input size from which calls are scoped (default 2¹⁸ elements). */
    static void setMinElements(long n) { minElements = n; }

    /**
     * Scopes every plain layer's call in this thread while {@code forced} (the memory plan's probes run at batches 2
     * and 4, below the size threshold, and must measure what the engine does at the batch they predict).
     */
    static boolean force(boolean forced) {
        boolean was = FORCED.get()[0];
        FORCED.get()[0] = forced;
        return was;
    }

    /** Opens the scratch workspace for one call; close it after {@link #keep} and {@link #keepState}. */
    static LayerScope open() {
        return new LayerScope(Workspaces.pass(ID));
    }

    /** Bytes the largest scratch call of this thread allocated since the last {@link #resetPeak}. */
    static long peakBytes() { return PEAK.get()[0]; }

    static void resetPeak() { PEAK.get()[0] = 0; }

    /** {@code a} itself when it lives outside this call's scratch workspace, else its copy in the enclosing one. */
    INDArray keep(INDArray a) {
        if (a == null || !a.isAttached() || a.data().getParentWorkspace() != scratch) return a;
        INDArray done = moved.get(a);
        if (done != null) return done;
        INDArray copy;
        MemoryWorkspace parent = scratch.getParentWorkspace();
        if (parent == null) {
            copy = a.detach();
        } else {
            try (MemoryWorkspace ignored = parent.notifyScopeBorrowed()) {
                copy = Nd4j.createUninitialized(a.dataType(), a.shape(), a.ordering());
                copy.assign(a);
            }
        }
        moved.put(a, copy);
        return copy;
    }

    INDArray[] keep(INDArray[] all) {
        if (all == null) return null;
        for (int i = 0; i < all.length; i++) all[i] = keep(all[i]);
        return all;
    }

    /** Moves every array field of {@code layer} that lives in the scratch workspace to the enclosing one. */
    void keepState(Layer layer) {
        if (skipState) return;
        try {
            for (Field f : STATE.get(layer.getClass())) {
                Object value = f.get(layer);
                if (value instanceof INDArray a) {
                    INDArray k = keep(a);
                    if (k != a) f.set(layer, k);
                } else if (value instanceof INDArray[] arrays) {
                    keep(arrays);
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("LayerScope: cannot move the state of " + layer.name(), e);
        }
    }

    @Override public void close() {
        scratch.close();
        long bytes = scratch.getLastCycleAllocations();
        long[] peak = PEAK.get();
        if (bytes > peak[0]) peak[0] = bytes;
    }

    // --- the calls, scoped when they apply --------------------------------------------------------------------------

    /** {@code call} on {@code l}, in a scratch scope when one applies to {@code input}: its result and state moved out. */
    private static INDArray scoped(Layer l, INDArray input, String name, Supplier<INDArray> call) {
        return scoped(l, input, name, call, false);
    }

    /** {@link #scoped}; with {@code handOverResult} the result is handed over ({@link #handOver}) instead of kept. */
    private static INDArray scoped(Layer l, INDArray input, String name, Supplier<INDArray> call, boolean handOverResult) {
        return profiled(l, input, name, () -> {
            if (!applies(l, input)) return call.get();
            try (LayerScope s = open()) {
                INDArray r = call.get();
                s.keepState(l);
                return handOverResult && handOver ? s.handOver(r) : s.keep(r);
            }
        });
    }

    /** {@link #scoped} for the calls that return two arrays; {@code handOver[k]}: hand result k over instead of keeping it. */
    private static INDArray[] scopedPair(Layer l, INDArray input, String name, Supplier<INDArray[]> call, boolean... handOverResult) {
        return profiled(l, input, name, () -> {
            if (!applies(l, input)) return call.get();
            try (LayerScope s = open()) {
                INDArray[] r = call.get();
                s.keepState(l);
                for (int k = 0; k < r.length; k++) r[k] = k < handOverResult.length && handOverResult[k] && handOver ? s.handOver(r[k]) : s.keep(r[k]);
                return r;
            }
        });
    }

    /** {@code call}, its wall time added to {@link LayerProfile} when that is on (plain layers only: a composite's children count). */
    private static <T> T profiled(Layer l, INDArray input, String name, Supplier<T> call) {
        if (!LayerProfile.on() || !l.children().isEmpty()) return call.get();
        long t0 = System.nanoTime();
        try {
            return call.get();
        } finally {
            LayerProfile.add(l, input, name, System.nanoTime() - t0);
        }
    }

    static INDArray forward(Layer l, INDArray x, INDArray[] theta) {
        return scoped(l, x, "forward", () -> l.forward(x, theta));
    }

    static INDArray backward(Layer l, INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return scoped(l, gy, "backward", () -> l.backward(gy, theta, grads, needInputGrad));
    }

    // --- hand-over of the backward pass's input gradients ------------------------------------------------------------
    // In a plain backward walk the ∂L/∂x a layer returns is read by the one layer below it and is then dead, but in the
    // pass workspace it lived until the pass ended: the chain of input gradients was ≈ 0.65 GB of a ResNet-18 step at
    // batch 128 (benchmarks/README.md, "Memory plan"). A scoped backward call now returns its input gradient outside
    // the workspaces (a hand-over array), and the composite that walks the chain releases it once the next layer has
    // consumed it, so at most a few are alive at a time. Arrays made by anything else are never released here.
    private static final ThreadLocal<java.util.Set<INDArray>> HAND_OVER =
            ThreadLocal.withInitial(() -> java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    // Released hand-over buffers, by data type and length, for the next hand-over of that size (a caching allocator:
    // freeing and allocating 25 MB blocks through malloc let glibc's heap grow — an exact HVP of ResNet-18 at batch 128
    // peaked 1.2 GB higher than with the input gradients in the workspace — and a fresh block costs its page faults).
    // A pass reuses the same few sizes, so the pool holds about the most that were alive at once; above POOL_CAP bytes
    // a released buffer is freed instead.
    private static final ThreadLocal<Map<String, java.util.ArrayDeque<org.nd4j.linalg.api.buffer.DataBuffer>>> POOL = ThreadLocal.withInitial(java.util.HashMap::new);
    private static final ThreadLocal<long[]> POOLED = ThreadLocal.withInitial(() -> new long[1]);
    private static final long POOL_CAP = Long.getLong("tuneless.memoryPlan.handOverPool", 1L << 30);
    private static volatile boolean handOver = !"false".equals(System.getProperty("tuneless.memoryPlan.handOver", "true"));

    /** Tests and benchmarks: whether backward walks hand their input gradients over (default on). */
    static void setHandOver(boolean on) { handOver = on; }

    /**
     * {@link #backward}, the input gradient returned as a hand-over array (outside the workspaces) when the call was
     * scoped; the caller walking the chain passes it to {@link #release} once the next layer has consumed it.
     */
    static INDArray backwardHandedOver(Layer l, INDArray gy, INDArray[] theta, INDArray[] grads, boolean needInputGrad) {
        return scoped(l, gy, "backward", () -> l.backward(gy, theta, grads, needInputGrad), true);
    }

    /** {@link #backwardWithR}, the R-op's input gradient (the first result) handed over as in {@link #backwardHandedOver}. */
    static INDArray[] backwardWithRHandedOver(Layer l, INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad,
            boolean needPlainInputGrad) {
        // the plain gy (result 1) is kept when a session will replay it; gy is null where the walk cut the plain chain
        return scopedPair(l, gy != null ? gy : rgy, "backwardWithR", () -> l.backwardWithR(gy, rgy, theta, v, grads, hv, needInputGrad, needPlainInputGrad),
                true, oneOffWalk());
    }

    /** {@link #rBackwardReplay}, its result handed over as in {@link #backwardHandedOver}. */
    static INDArray rBackwardReplayHandedOver(Layer l, INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return scoped(l, gy != null ? gy : rgy, "rBackwardReplay", () -> l.rBackwardReplay(gy, rgy, theta, v, hv, needInputGrad), true);
    }

    /** A call's result: copied outside every workspace and registered for {@link #release} when it lives in this scratch, else {@link #keep}. */
    private INDArray handOver(INDArray r) {
        if (r == null || !r.isAttached() || r.data().getParentWorkspace() != scratch || moved.containsKey(r)) return keep(r);
        INDArray out = outside(r.dataType(), r.shape(), r.ordering());  // outside every workspace
        out.assign(r);
        HAND_OVER.get().add(out);
        return out;
    }

    /** An array outside the workspaces on a pooled buffer of its size, or a new one. */
    private static INDArray outside(org.nd4j.linalg.api.buffer.DataType type, long[] shape, char order) {
        long n = 1;
        for (long d : shape) n *= d;
        java.util.ArrayDeque<org.nd4j.linalg.api.buffer.DataBuffer> free = POOL.get().get(type + ":" + n);
        org.nd4j.linalg.api.buffer.DataBuffer buffer = free == null ? null : free.poll();
        if (buffer == null) {
            try (MemoryWorkspace ignored = org.tuneless.tensor.Workspaces.detached()) {
                return Nd4j.createUninitialized(type, shape, order);
            }
        }
        POOLED.get()[0] -= n * buffer.getElementSize();
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, order), 0, order);
    }

    /** a + b as a hand-over array (a residual block's input gradient: the body's and the shortcut's summed). */
    static INDArray handedOverSum(INDArray a, INDArray b) {
        INDArray sum = outside(a.dataType(), a.shape(), a.ordering());
        a.add(b, sum);
        HAND_OVER.get().add(sum);
        return sum;
    }

    private static final ThreadLocal<boolean[]> ONE_OFF = ThreadLocal.withInitial(() -> new boolean[1]);

    /**
     * Marks this thread's R-walks as one-off ({@link Network#hvp}: no replay follows), so that the plain gy chain is
     * handed over and freed like the R-gradients; returns the previous mark.
     */
    static boolean oneOffWalk(boolean on) {
        boolean was = ONE_OFF.get()[0];
        ONE_OFF.get()[0] = on;
        return was;
    }

    /** Whether this thread's R-walks are one-off (see {@link #oneOffWalk(boolean)}). */
    static boolean oneOffWalk() { return ONE_OFF.get()[0]; }

    /** Forgets the hand-over arrays of this thread's pass that were not released (they are freed when collected). */
    static void endHandOver() { HAND_OVER.get().clear(); }

    /** Tests: hand-over arrays of this thread not yet released or forgotten. */
    static int handOverCount() { return HAND_OVER.get().size(); }

    /** Whether {@code a} is a hand-over array not yet released. */
    static boolean isHandedOver(INDArray a) { return a != null && HAND_OVER.get().contains(a); }

    /**
     * Frees {@code consumed} now if it is a hand-over array and none of {@code results} shares its memory (a layer may
     * return a view of its gy, e.g. a reshape). Anything else is left alone.
     */
    static void release(INDArray consumed, INDArray... results) {
        if (consumed == null || !HAND_OVER.get().contains(consumed)) return;
        for (INDArray r : results) if (r != null && sharesMemory(consumed, r)) return;
        HAND_OVER.get().remove(consumed);
        org.nd4j.linalg.api.buffer.DataBuffer buffer = consumed.data();
        long bytes = buffer.length() * buffer.getElementSize();
        if (consumed.offset() != 0 || POOLED.get()[0] + bytes > POOL_CAP) {
            consumed.close();
            return;
        }
        POOLED.get()[0] += bytes;
        POOL.get().computeIfAbsent(buffer.dataType() + ":" + buffer.length(), k -> new java.util.ArrayDeque<>()).push(buffer);
    }

    /** Tests: bytes of released hand-over buffers this thread keeps for reuse. */
    static long pooledBytes() { return POOLED.get()[0]; }

    private static boolean sharesMemory(INDArray a, INDArray b) {
        if (a == b || a.data() == b.data()) return true;
        long a0 = a.data().address(), a1 = a0 + a.data().length() * a.data().getElementSize();
        long b0 = b.data().address(), b1 = b0 + b.data().length() * b.data().getElementSize();
        return a0 < b1 && b0 < a1;
    }

    static INDArray jvp(Layer l, INDArray dx, INDArray[] theta, INDArray[] v) {
        return scoped(l, dx, "jvp", () -> l.jvp(dx, theta, v));
    }

    static INDArray[] backwardWithR(Layer l, INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] grads, INDArray[] hv, boolean needInputGrad) {
        return scopedPair(l, gy, "backwardWithR", () -> l.backwardWithR(gy, rgy, theta, v, grads, hv, needInputGrad));
    }

    static INDArray rBackwardReplay(Layer l, INDArray gy, INDArray rgy, INDArray[] theta, INDArray[] v, INDArray[] hv, boolean needInputGrad) {
        return scoped(l, gy, "rBackwardReplay", () -> l.rBackwardReplay(gy, rgy, theta, v, hv, needInputGrad));
    }

    static INDArray[] secondTangent(Layer l, INDArray dx, INDArray ddx, INDArray[] theta, INDArray[] v) {
        return scopedPair(l, dx, "secondTangent", () -> l.secondTangent(dx, ddx, theta, v));
    }
}
