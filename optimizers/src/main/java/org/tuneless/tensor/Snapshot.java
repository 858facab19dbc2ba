package org.tuneless.tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The saved state of one part of a run (a batch stream, a plug-in, the loop): named JSON values (exact: doubles keep
 * every bit, non-finite ones as "NaN"/"Infinity") and named tensors, no Java serialization. A checkpoint writes the values
 * to JSON and the tensors to safetensors; {@link #child} gives a nested part its own namespace ({@code data/inner/…}).
 * Getters refuse a missing or mistyped field with a message naming the source and the field's path.
 */
public final class Snapshot {

    private final ObjectNode values;
    private final Map<String, INDArray> tensors;
    private final String path;
    private final String source;

    private Snapshot(ObjectNode values, Map<String, INDArray> tensors, String path, String source) {
        this.values = values;
        this.tensors = tensors;
        this.path = path;
        this.source = source;
    }

    /** An empty snapshot to write into. */
    public static Snapshot create() { return new Snapshot(JsonNodeFactory.instance.objectNode(), new LinkedHashMap<>(), "", "snapshot"); }

    /** A snapshot to read from: {@code values} (a JSON object) and {@code tensors}, errors naming {@code source}. */
    public static Snapshot of(JsonNode values, Map<String, INDArray> tensors, String source) {
        if (values == null || !values.isObject()) throw new IllegalArgumentException(source + ": the state is not a JSON object");
        return new Snapshot((ObjectNode) values, new LinkedHashMap<>(tensors), "", source);
    }

    /** The JSON values (the root's include its children's). */
    public ObjectNode values() { return values; }

    /** Every tensor, keyed by its full path ({@code data/order}). */
    public Map<String, INDArray> tensors() { return tensors; }

    /** The nested part {@code name}: its values are the object {@code name} of these, its tensors are prefixed {@code name/}. */
    public Snapshot child(String name) {
        JsonNode c = values.get(name);
        ObjectNode o;
        if (c == null) o = values.putObject(name);
        else if (c.isObject()) o = (ObjectNode) c;
        else throw new IllegalArgumentException(source + ": field '" + path + name + "' is not an object");
        return new Snapshot(o, tensors, path + name + "/", source);
    }

    public boolean has(String name) { return values.has(name) || tensors.containsKey(path + name); }

    public Snapshot put(String name, long v) { values.put(name, v); return this; }

    public Snapshot put(String name, String v) { values.put(name, v); return this; }

    public Snapshot put(String name, boolean v) { values.put(name, v); return this; }

    /** A double, exactly (JSON numbers round-trip through {@link Double#toString}); NaN and ±Infinity as text. */
    public Snapshot put(String name, double v) {
        if (Double.isFinite(v)) values.put(name, v);
        else values.put(name, Double.toString(v));
        return this;
    }

    public Snapshot put(String name, long[] v) {
        ArrayNode a = values.putArray(name);
        for (long x : v) a.add(x);
        return this;
    }

    /** Keeps {@code tensor} (not copied: write the snapshot before changing it). */
    public Snapshot putTensor(String name, INDArray tensor) { tensors.put(path + name, tensor); return this; }

    private JsonNode field(String name) {
        JsonNode v = values.get(name);
        if (v == null) throw new IllegalArgumentException(source + ": field '" + path + name + "' is missing");
        return v;
    }

    public long getLong(String name) {
        JsonNode v = field(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new IllegalArgumentException(source + ": field '" + path + name + "' = " + v + " is not an integer");
        return v.longValue();
    }

    public double getDouble(String name) {
        JsonNode v = field(name);
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new IllegalArgumentException(source + ": field '" + path + name + "' = " + v + " is not a number");
    }

    public String getString(String name) {
        JsonNode v = field(name);
        if (!v.isTextual()) throw new IllegalArgumentException(source + ": field '" + path + name + "' = " + v + " is not text");
        return v.asText();
    }

    public boolean getBoolean(String name) {
        JsonNode v = field(name);
        if (!v.isBoolean()) throw new IllegalArgumentException(source + ": field '" + path + name + "' = " + v + " is not true/false");
        return v.booleanValue();
    }

    public long[] getLongs(String name) {
        JsonNode v = field(name);
        if (!v.isArray()) throw new IllegalArgumentException(source + ": field '" + path + name + "' = " + v + " is not a list of integers");
        long[] out = new long[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isIntegralNumber()) throw new IllegalArgumentException(source + ": field '" + path + name + "' = " + v + " is not a list of integers");
            out[i] = v.get(i).longValue();
        }
        return out;
    }

    /** Tensor {@code name}, which must have {@code length} values when {@code length ≥ 0}. */
    public INDArray tensor(String name, long length) {
        INDArray t = tensors.get(path + name);
        if (t == null) throw new IllegalArgumentException(source + ": tensor '" + path + name + "' is missing");
        if (length >= 0 && t.length() != length) {
            throw new IllegalArgumentException(source + ": tensor '" + path + name + "' has " + t.length() + " values (shape " + Arrays.toString(t.shape())
                    + "), expected " + length);
        }
        return t;
    }

    /** What errors name. */
    public String source() { return source; }

    /** The error for a field whose value is inconsistent with the run being restored. */
    public IllegalArgumentException mismatch(String name, String why) {
        return new IllegalArgumentException(source + ": field '" + path + name + "': " + why);
    }
}
