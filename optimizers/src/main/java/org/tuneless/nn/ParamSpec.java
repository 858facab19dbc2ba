package org.tuneless.nn;

import org.tuneless.tensor.ParamRole;

/**
 * A parameter tensor a layer declares: its local name (e.g. {@code W}), shape, role, fan-in/fan-out and initializer.
 */
public record ParamSpec(String name, long[] shape, ParamRole role, long fanIn, long fanOut, Init init) {

    public long length() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
