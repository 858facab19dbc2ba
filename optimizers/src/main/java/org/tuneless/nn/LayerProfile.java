package org.tuneless.nn;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A per-layer time profile of the engine: while {@link #start started}, every call of a plain layer (forward, backward,
 * jvp, the R-ops, the second tangent) adds its wall time to its layer kind and call, in every thread. Calls of a
 * composite layer are not counted themselves (their children are), so the parts add up to the time spent inside layers;
 * what is left of a pass is the engine's own work (loss, workspaces, parameter views). ND4J's CPU ops are synchronous,
 * so a call's wall time is its compute. Off by default: then each layer call pays one volatile read.
 * Used by {@code benchmarks/run layers}.
 */
public final class LayerProfile {

    private static volatile boolean on;
    private static volatile boolean byShape;
    private static final Map<String, long[]> TIMES = new ConcurrentHashMap<>();

    private LayerProfile() {}

    /** Clears the profile and starts collecting, by layer kind and call. */
    public static void start() { start(false); }

    /**
     * Clears the profile and starts collecting; with {@code byShape} the key also names the call's input shape without
     * the batch ({@code "conv2d backward [64, 28, 28]"}), so that layers of one kind at different sizes are told apart.
     */
    public static void start(boolean byShape) {
        TIMES.clear();
        LayerProfile.byShape = byShape;
        on = true;
    }

    /** Stops collecting and returns "kind call" (or "kind call [shape]") → {total nanoseconds, calls}, sorted by key. */
    public static Map<String, long[]> stop() {
        on = false;
        Map<String, long[]> copy = new TreeMap<>();
        TIMES.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    static boolean on() { return on; }

    static void add(Layer layer, INDArray input, String call, long nanos) {
        String key = layer.kind() + " " + call;
        if (byShape && input != null) {
            long[] shape = input.shape();
            key += " " + java.util.Arrays.toString(java.util.Arrays.copyOfRange(shape, Math.min(1, shape.length), shape.length));
        }
        long[] t = TIMES.computeIfAbsent(key, k -> new long[2]);
        synchronized (t) {
            t[0] += nanos;
            t[1]++;
        }
    }
}
