package org.tuneless.tensor;

import java.util.Arrays;

/**
 * One named parameter tensor inside the flat parameter buffer.
 *
 * @param name    unique name, {@code layer.param} (e.g. {@code dense0.W})
 * @param layer   name of the layer that owns it
 * @param shape   tensor shape; dense weights are stored (in, out) so that y = x·W
 * @param offset  first element in the flat buffer
 * @param role    weight, bias or gain
 * @param fanIn   inputs per output unit (d_in; in·k·k for a conv)
 * @param fanOut  outputs (d_out)
 */
public record ParameterTensor(String name, String layer, long[] shape, long offset, ParamRole role, long fanIn, long fanOut) {

    public long length() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
