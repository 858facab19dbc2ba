package org.tuneless.nn;

import java.util.Arrays;
import java.util.Locale;

import org.nd4j.linalg.api.buffer.DataType;

/** Ready-made architectures. {@code Models.mlp(784, 256, 256, 10)}: ReLU hidden layers, biases, He init, float32, seed 0. */
public final class Models {

    private Models() {}

    /** Hidden-layer nonlinearity of an MLP. */
    public enum Activation { RELU, TANH, GELU }

    public static Network mlp(long... widths) {
        return mlpBuilder(Activation.RELU, true, Init.HE, widths).build(DataType.FLOAT, 0);
    }

    /** An MLP widths[0] → … → widths[last] with the given hidden activation; the output layer is linear. */
    public static Network.Builder mlpBuilder(Activation activation, boolean bias, Init init, long... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width, got " + Arrays.toString(widths));
        }
        for (long w : widths) {
            if (w <= 0) throw new IllegalArgumentException("MLP widths must be positive, got " + Arrays.toString(widths));
        }
        Network.Builder b = Network.builder(widths[0]).weightInit(init);
        for (int i = 1; i < widths.length; i++) {
            b.dense(widths[i], bias);
            if (i < widths.length - 1) {
                switch (activation) {
                    case RELU -> b.relu();
                    case TANH -> b.tanh();
                    case GELU -> b.gelu();
                }
            }
        }
        return b;
    }

    /**
     * Parses a model spec such as {@code mlp:784-256-256-10} or {@code mlp:784-100-10:tanh}.
     * Unknown names or malformed widths give an error that lists what is valid.
     */
    public static Network.Builder parse(String spec) {
        String[] parts = spec.split(":");
        String name = parts[0].toLowerCase(Locale.ROOT);
        if (!name.equals("mlp")) {
            throw new IllegalArgumentException("unknown model '" + parts[0] + "'; valid: mlp:IN-H1-...-OUT[:relu|tanh|gelu] (e.g. mlp:784-256-256-10)");
        }
        if (parts.length < 2 || parts[1].isBlank()) {
            throw new IllegalArgumentException("model 'mlp' needs its widths, e.g. mlp:784-256-256-10");
        }
        long[] widths;
        try {
            widths = Arrays.stream(parts[1].split("-")).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad MLP widths '" + parts[1] + "': expected integers joined by '-', e.g. 784-256-256-10");
        }
        Activation act = Activation.RELU;
        if (parts.length > 2) {
            try {
                act = Activation.valueOf(parts[2].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown activation '" + parts[2] + "'; valid: relu, tanh, gelu");
            }
        }
        return mlpBuilder(act, true, Init.HE, widths);
    }
}
