package org.tuneless.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layout of a flat parameter vector as named tensors. Parameters, gradients, HVPs and optimizer state all
 * share it, so whole-model vector operations are single BLAS calls and per-tensor views are free.
 */
public final class ParameterLayout {

    private final List<ParameterTensor> tensors;
    private final Map<String, ParameterTensor> byName = new LinkedHashMap<>();
    private final long size;

    public ParameterLayout(List<ParameterTensor> tensors) {
        this.tensors = List.copyOf(tensors);
        long expected = 0;
        for (ParameterTensor t : this.tensors) {
            if (t.offset() != expected) {
                throw new IllegalArgumentException("parameter " + t.name() + " starts at " + t.offset() + ", expected " + expected);
            }
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate parameter name " + t.name());
            }
            expected += t.length();
        }
        this.size = expected;
    }

    /** A layout with one tensor covering a vector of length n (synthetic problems). */
    public static ParameterLayout single(String name, long n) {
        return new ParameterLayout(List.of(new ParameterTensor(name, name, new long[]{n}, 0, ParamRole.WEIGHT, n, 1)));
    }

    public List<ParameterTensor> tensors() { return Collections.unmodifiableList(tensors); }

    public long size() { return size; }

    public ParameterTensor tensor(String name) {
        ParameterTensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'; parameters are " + byName.keySet());
        return t;
    }

    /** A view of {@code flat} (any vector in this layout) shaped as tensor {@code t}; writes go through to {@code flat}. */
    public static INDArray view(INDArray flat, ParameterTensor t) {
        long[] shape = t.shape();
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return Nd4j.create(flat.data(), shape, strides, flat.offset() + t.offset(), 'c', flat.dataType());
    }

    public INDArray view(INDArray flat, String name) { return view(flat, tensor(name)); }

    /** Views of every tensor, in layout order. */
    public List<INDArray> views(INDArray flat) {
        if (flat.length() != size) {
            throw new IllegalArgumentException("vector has length " + flat.length() + " but the layout has " + size + " parameters");
        }
        List<INDArray> out = new ArrayList<>(tensors.size());
        for (ParameterTensor t : tensors) out.add(view(flat, t));
        return out;
    }
}
