package org.tuneless.optim;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.ParameterTensor;
import org.tuneless.tensor.Workspaces;

/**
 * Everything an optimizer carries from one step to the next, made explicit so that a run can be checkpointed, resumed
 * and compared: named <em>tensors</em> (flat vectors in the parameter layout, e.g. Adam's {@code m} and {@code v}),
 * named <em>scalars</em> (e.g. the step counter {@code t}, ECCO's {@code dt_prev/NAME}) and named <em>children</em>
 * (a step-size tuner's base direction is child {@code base}). Created by {@link Optimizer#init}, advanced by
 * {@link Optimizer#step}; the optimizer objects themselves hold only hyperparameters.
 *
 * <p>Per-parameter views of a tensor are available by parameter name ({@link #view}); {@link #tensorsByParameter()}
 * lists every tensor of this state and its children as {@code slot/param} (e.g. {@code m/dense0.W},
 * {@code base/v/dense0.b}), the form a checkpoint stores.
 *
 * <p>Besides the state proper, an optimizer may keep <em>scratch</em> buffers here ({@link #scratch}): working vectors
 * that are completely overwritten before they are read in every step. They carry no information between steps, so they
 * are neither listed, copied nor compared.
 *
 * <p>All vectors are allocated outside any ND4J workspace, so they outlive the pass that creates them.
 */
public final class OptimizerState {

    private final ParameterLayout layout;
    private final DataType type;
    private final Map<String, INDArray> tensors = new LinkedHashMap<>();
    private final Map<String, Double> scalars = new LinkedHashMap<>();
    private final Map<String, OptimizerState> children = new LinkedHashMap<>();
    private final Map<String, INDArray> scratch = new LinkedHashMap<>();

    public OptimizerState(ParameterLayout layout, DataType type) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.type = Objects.requireNonNull(type, "data type");
    }

    public ParameterLayout layout() { return layout; }

    public DataType dataType() { return type; }

    // ---- tensors

    /** Adds tensor slot {@code name}, a zero vector in the parameter layout, and returns it. */
    public INDArray addTensor(String name) {
        checkName(name);
        if (tensors.containsKey(name)) throw new IllegalArgumentException("optimizer state already has a tensor '" + name + "'");
        INDArray t = zeros();
        tensors.put(name, t);
        return t;
    }

    /** Adds tensor slot {@code name} filled with {@code value}. */
    public INDArray addTensor(String name, double value) {
        return addTensor(name).assign(value);
    }

    /** The live flat vector of tensor slot {@code name}. */
    public INDArray tensor(String name) {
        INDArray t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("optimizer state has no tensor '" + name + "'; tensors are " + tensors.keySet());
        return t;
    }

    public boolean hasTensor(String name) { return tensors.containsKey(name); }

    /** Tensor slot {@code slot} seen as parameter {@code parameter}'s shape (a live view). */
    public INDArray view(String slot, String parameter) { return layout.view(tensor(slot), parameter); }

    public Set<String> tensorNames() { return Collections.unmodifiableSet(tensors.keySet()); }

    // ---- scalars

    /** Adds (or overwrites) scalar {@code name}. */
    public OptimizerState setScalar(String name, double value) {
        checkName(name);
        scalars.put(name, value);
        return this;
    }

    public double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) throw new IllegalArgumentException("optimizer state has no scalar '" + name + "'; scalars are " + scalars.keySet());
        return v;
    }

    public boolean hasScalar(String name) { return scalars.containsKey(name); }

    public Set<String> scalarNames() { return Collections.unmodifiableSet(scalars.keySet()); }

    /** All scalars of this state and its children, as {@code name} and {@code child/name}. */
    public Map<String, Double> scalarsByName() {
        Map<String, Double> out = new LinkedHashMap<>(scalars);
        children.forEach((c, s) -> s.scalarsByName().forEach((k, v) -> out.put(c + "/" + k, v)));
        return out;
    }

    /**
     * Sets scalars by their {@link #scalarsByName()} names ({@code t}, {@code base/t}), for restoring a checkpoint into a
     * state created by {@link Optimizer#init}; a name of a child that does not exist is refused, naming {@code source}.
     */
    public void restoreScalars(Map<String, Double> byName, String source) {
        for (Map.Entry<String, Double> e : byName.entrySet()) {
            String k = e.getKey();
            OptimizerState s = this;
            int slash;
            while ((slash = k.indexOf('/')) >= 0 && s.children.containsKey(k.substring(0, slash))) {
                s = s.children.get(k.substring(0, slash));
                k = k.substring(slash + 1);
            }
            if (k.isEmpty()) throw new IllegalArgumentException(source + ": scalar '" + e.getKey() + "' has an empty name");
            s.scalars.put(k, e.getValue());
        }
        Map<String, Double> now = scalarsByName();
        for (String k : now.keySet()) {
            if (!byName.containsKey(k)) throw new IllegalArgumentException(source + ": scalar '" + k + "' of the optimizer state is missing");
        }
    }

    // ---- children

    /** Adds a child state (a tuner's base direction: {@code base}) and returns it. */
    public OptimizerState addChild(String name, OptimizerState child) {
        checkName(name);
        Objects.requireNonNull(child, "child state");
        if (children.containsKey(name)) throw new IllegalArgumentException("optimizer state already has a child '" + name + "'");
        children.put(name, child);
        return child;
    }

    public OptimizerState child(String name) {
        OptimizerState c = children.get(name);
        if (c == null) throw new IllegalArgumentException("optimizer state has no child '" + name + "'; children are " + children.keySet());
        return c;
    }

    public Set<String> childNames() { return Collections.unmodifiableSet(children.keySet()); }

    // ---- scratch

    /**
     * Working vector {@code name} in the parameter layout, allocated on first use. Its content is undefined between
     * steps: write all of it before reading it.
     */
    public INDArray scratch(String name) {
        return scratch.computeIfAbsent(name, k -> zeros());
    }

    // ---- listing, copying, comparing

    /**
     * Every tensor of this state and its children as per-parameter views keyed {@code slot/param}, children prefixed
     * by their name ({@code base/m/dense0.W}), in slot order then layout order. The views are live.
     */
    public Map<String, INDArray> tensorsByParameter() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        tensors.forEach((slot, flat) -> {
            for (ParameterTensor t : layout.tensors()) out.put(slot + "/" + t.name(), ParameterLayout.view(flat, t));
        });
        children.forEach((c, s) -> s.tensorsByParameter().forEach((k, v) -> out.put(c + "/" + k, v)));
        return out;
    }

    /** A deep copy: new vectors with the same values, same scalars, deep copies of the children (no scratch). */
    public OptimizerState copy() {
        OptimizerState c = new OptimizerState(layout, type);
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            tensors.forEach((k, v) -> c.tensors.put(k, v.dup()));
        }
        c.scalars.putAll(scalars);
        children.forEach((k, v) -> c.children.put(k, v.copy()));
        return c;
    }

    /**
     * Overwrites this state's values with {@code other}'s (same slots, scalars and children required), keeping this
     * state's vectors; for restoring a checkpoint into a state created by {@link Optimizer#init}.
     */
    public void assign(OptimizerState other) {
        if (!tensors.keySet().equals(other.tensors.keySet()) || !scalars.keySet().equals(other.scalars.keySet())
                || !children.keySet().equals(other.children.keySet())) {
            throw new IllegalArgumentException("optimizer states do not match: this has " + describe() + ", the other " + other.describe());
        }
        tensors.forEach((k, v) -> {
            INDArray o = other.tensors.get(k);
            if (o.length() != v.length()) {
                throw new IllegalArgumentException("optimizer state tensor '" + k + "' has length " + o.length() + ", expected " + v.length());
            }
            v.assign(o);
        });
        scalars.putAll(other.scalars);
        children.forEach((k, v) -> v.assign(other.children.get(k)));
    }

    /** Tensor, scalar and child names, e.g. {@code tensors [m, v], scalars [t], children []}. */
    public String describe() {
        return "tensors " + tensors.keySet() + ", scalars " + scalars.keySet() + ", children " + children.keySet();
    }

    /**
     * Bit-for-bit equality of every tensor (same data type and values), scalar and child; scratch is ignored. NaN
     * equals NaN (as {@link Double#equals}).
     */
    @Override public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof OptimizerState s)) return false;
        if (!tensors.keySet().equals(s.tensors.keySet()) || !scalars.equals(s.scalars) || !children.equals(s.children)) return false;
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = e.getValue(), b = s.tensors.get(e.getKey());
            if (a.dataType() != b.dataType() || !Arrays.equals(a.toDoubleVector(), b.toDoubleVector())) return false;
        }
        return true;
    }

    @Override public int hashCode() { return Objects.hash(tensors.keySet(), scalars, children); }

    @Override public String toString() { return "OptimizerState(" + describe() + ")"; }

    private INDArray zeros() {
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            return Nd4j.zeros(type, Math.max(1, layout.size()));
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("optimizer state names must be non-empty");
    }
}
