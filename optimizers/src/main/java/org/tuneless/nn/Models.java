package org.tuneless.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** Normalization inside convolutional models: none, layer norm (per example) or batch norm. */
    public enum Norm { NONE, LAYER, BATCH }

    /** Sizes of the transformer-style models (MLP-Mixer, ViT). */
    public enum Size { TINY, SMALL }

    // ---------------------------------------------------------------- convolutional

    /**
     * A small CNN for (C, H, W) images: two conv3×3 (32, 64 channels) + ReLU + 2×2 max-pool stages, then a dense
     * layer of 128 and the classifier. On (1, 28, 28) with 10 classes: 421,642 parameters.
     */
    public static Network.Builder cnn(long[] input, int classes) {
        requireImage("cnn", input);
        return Network.builder(input)
                .add(new Conv2d(32, 3, 1, 1, true, Init.HE)).relu().add(new MaxPool2d(2, 2))
                .add(new Conv2d(64, 3, 1, 1, true, Init.HE)).relu().add(new MaxPool2d(2, 2))
                .flatten().dense(128).relu().dense(classes);
    }

    /** ResNet-18 (He et al. 2016) in the CIFAR style: 3×3 stem without max-pool, stages of 2,2,2,2 basic blocks. */
    public static Network.Builder resnet18(long[] input, int classes, Norm norm) { return resnet("resnet18", new int[]{2, 2, 2, 2}, input, classes, norm, 64); }

    /** ResNet-34 in the CIFAR style: stages of 3,4,6,3 basic blocks (the CDAT paper trains it without batch norm). */
    public static Network.Builder resnet34(long[] input, int classes, Norm norm) { return resnet("resnet34", new int[]{3, 4, 6, 3}, input, classes, norm, 64); }

    /**
     * A CIFAR-style ResNet: conv3×3(width) stem → norm → ReLU; stage s has blocks[s] basic blocks of width·2^s
     * channels, the first of stages 2… with stride 2 and a 1×1 projection shortcut; global average pool; dense.
     * Convolutions carry a bias only without normalization. A basic block is relu(norm(conv(relu(norm(conv x)))) + x);
     * without normalization the last conv of each block starts at zero, so each block starts as the identity.
     */
    public static Network.Builder resnet(String name, int[] blocks, long[] input, int classes, Norm norm, long width) {
        requireImage(name, input);
        boolean bias = norm == Norm.NONE;
        Network.Builder b = Network.builder(input);
        b.add(new Sequential("stem", withNorm(norm, new Conv2d(width, 3, 1, 1, bias, Init.HE), new Relu())));
        long channels = width;
        for (int stage = 0; stage < blocks.length; stage++) {
            long w = width << stage;
            for (int k = 0; k < blocks[stage]; k++) {
                int stride = stage > 0 && k == 0 ? 2 : 1;
                List<Layer> body = new ArrayList<>(withNorm(norm, new Conv2d(w, 3, stride, 1, bias, Init.HE), new Relu()));
                // without normalization the residual sums blow up at He init (loss ≈ 5, ‖g‖ ≈ 150 on ResNet-18), so the
                // branch's last conv starts at zero and every block starts as the identity (Fixup, Zhang et al. 2019)
                body.addAll(withNorm(norm, new Conv2d(w, 3, 1, 1, bias, norm == Norm.NONE ? Init.ZEROS : Init.HE), null));
                Layer shortcut = stride != 1 || channels != w
                        ? new Sequential("projection", withNorm(norm, new Conv2d(w, 1, stride, 0, bias, Init.HE), null)) : null;
                b.add(new Residual(new Sequential("block", body), shortcut)).relu();
                channels = w;
            }
        }
        return b.add(new GlobalAvgPool()).dense(classes);
    }

    /** [layer, norm?, activation?] — the norm layer is skipped for {@link Norm#NONE}, the activation when null. */
    private static List<Layer> withNorm(Norm norm, Layer layer, Layer activation) {
        List<Layer> out = new ArrayList<>();
        out.add(layer);
        switch (norm) {
            case LAYER -> out.add(new LayerNorm());
            case BATCH -> out.add(new BatchNorm());
            case NONE -> { }
        }
        if (activation != null) out.add(activation);
        return out;
    }

    // ---------------------------------------------------------------- token models

    /**
     * MLP-Mixer (Tolstikhin et al. 2021) for (C, H, W) images: p×p patches → dense(dim) → depth × [token-mixing MLP,
     * channel-mixing MLP], each pre-norm and residual → layer norm → mean over tokens → dense. TINY: depth 4, dim 128,
     * token MLP 64, channel MLP 256; SMALL: depth 8, dim 256, token MLP 128, channel MLP 1024.
     */
    public static Network.Builder mlpMixer(Size size, int patch, long[] input, int classes) {
        requireImage("mixer", input);
        int depth = size == Size.TINY ? 4 : 8;
        long dim = size == Size.TINY ? 128 : 256, tokenHidden = size == Size.TINY ? 64 : 128, channelHidden = size == Size.TINY ? 256 : 1024;
        return mlpMixer(patch, depth, dim, tokenHidden, channelHidden, input, classes);
    }

    public static Network.Builder mlpMixer(int patch, int depth, long dim, long tokenHidden, long channelHidden, long[] input, int classes) {
        requireImage("mixer", input);
        Patchify patches = new Patchify(patch);
        long tokens = patches.outputShape(input)[0];
        Network.Builder b = Network.builder(input).weightInit(Init.GLOROT).add(patches).dense(dim);
        for (int i = 0; i < depth; i++) {
            b.add(new Residual(new Sequential("tokenmix", new LayerNorm(), new SwapAxes(), new Dense(tokenHidden, true, Init.GLOROT), new Gelu(),
                    new Dense(tokens, true, Init.GLOROT), new SwapAxes())));
            b.add(new Residual(new Sequential("channelmix", new LayerNorm(), new Dense(channelHidden, true, Init.GLOROT), new Gelu(),
                    new Dense(dim, true, Init.GLOROT))));
        }
        return b.add(new LayerNorm()).add(new TokenMean()).dense(classes);
    }

    /**
     * A Vision Transformer (Dosovitskiy et al. 2021) for (C, H, W) images: p×p patches → dense(dim) + learned position
     * embedding → depth × pre-norm [self-attention, MLP(4·dim)] blocks → layer norm → mean over tokens (instead of a
     * class token) → dense. ViT-Tiny: dim 192, depth 12, 3 heads.
     */
    public static Network.Builder vit(int patch, long dim, int depth, int heads, long[] input, int classes) {
        requireImage("vit", input);
        Network.Builder b = Network.builder(input).weightInit(Init.GLOROT).add(new Patchify(patch)).dense(dim).add(new PositionEmbedding(Init.GLOROT));
        for (int i = 0; i < depth; i++) transformerBlock(b, dim, heads, false);
        return b.add(new LayerNorm()).add(new TokenMean()).dense(classes);
    }

    public static Network.Builder vitTiny(int patch, long[] input, int classes) { return vit(patch, 192, 12, 3, input, classes); }

    /** Pre-norm transformer block: x + attn(LN x), then x + MLP(LN x) with a 4× GELU MLP. */
    private static void transformerBlock(Network.Builder b, long dim, int heads, boolean causal) {
        b.add(new Residual(new Sequential("attention", new LayerNorm(), new CausalSelfAttention(heads, true, Init.GLOROT, causal))));
        b.add(new Residual(new Sequential("mlp", new LayerNorm(), new Dense(4 * dim, true, Init.GLOROT), new Gelu(), new Dense(dim, true, Init.GLOROT))));
    }

    /**
     * A character-level GPT (as the optax nanoLM example): token embedding + learned positions → layers × causal
     * pre-norm transformer blocks → layer norm → dense to the vocabulary. Input: (context) token ids; output:
     * (context, vocabulary) next-token logits.
     */
    public static Network.Builder nanoLM(int layers, long dim, int heads, int context, long vocabulary) {
        if (context <= 0 || vocabulary <= 0) throw new IllegalArgumentException("nanoLM needs a positive context and vocabulary, got " + context + ", " + vocabulary);
        Network.Builder b = Network.builder(context).weightInit(Init.GLOROT).add(new Embedding(vocabulary, dim, Init.GLOROT)).add(new PositionEmbedding(Init.GLOROT));
        for (int i = 0; i < layers; i++) transformerBlock(b, dim, heads, true);
        return b.add(new LayerNorm()).dense(vocabulary);
    }

    /** An LSTM sequence classifier: input (steps, features) → LSTM(hidden), last state → dense. Rows of an image make 28 steps of 28 features. */
    public static Network.Builder lstm(long[] input, long hidden, int classes) {
        if (input.length != 2) {
            throw new IllegalArgumentException("lstm needs sequences (steps, features) but got " + Arrays.toString(input) + "; e.g. (28, 28) for image rows");
        }
        return Network.builder(input).weightInit(Init.GLOROT).add(new Lstm(hidden, false, Init.GLOROT)).dense(classes);
    }

    /** A character-level LSTM language model: embedding(dim) → LSTM(hidden) over every position → dense to the vocabulary. */
    public static Network.Builder lstmLM(int context, long vocabulary, long dim, long hidden) {
        return Network.builder(context).weightInit(Init.GLOROT).add(new Embedding(vocabulary, dim, Init.GLOROT)).add(new Lstm(hidden, true, Init.GLOROT)).dense(vocabulary);
    }

    private static void requireImage(String model, long[] input) {
        if (input.length != 3) {
            throw new IllegalArgumentException(model + " needs image inputs (channels, height, width) but got " + Arrays.toString(input) + "; e.g. (1, 28, 28) for Fashion-MNIST");
        }
    }

    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of("mlp", "cnn", "resnet18", "resnet34", "mixer", "vit", "nanolm", "lstm");

    /**
     * A model by name with defaults for the data: images (1, 28, 28) for cnn, resnet18, resnet34 (batch norm; append
     * {@code :none} or {@code :layer} for the norm), mixer (tiny, patch 4), vit (tiny, patch 7), lstm (image rows, hidden
     * 128; on text a character LSTM); text for nanolm (2 layers, dim 128, 4 heads over the context). {@code input} is the
     * per-example shape of the data ((784) is taken as (1, 28, 28)); {@code classes} the number of classes or, for
     * {@code text} data (inputs (context) of token ids), the vocabulary size.
     */
    public static Network.Builder byName(String spec, long[] input, int classes, boolean text) {
        String[] parts = spec.split(":");
        String name = parts[0].toLowerCase(Locale.ROOT);
        if (name.equals("mlp")) return parse(spec);
        long[] image = input.length == 1 && !text ? squareImage(input[0]) : input;
        return switch (name) {
            case "cnn", "resnet18", "resnet34", "mixer", "vit" -> {
                if (text) throw new IllegalArgumentException(name + " is an image model: use image data (e.g. --data fashion), or nanolm / lstm for text");
                yield imageModel(name, parts, image, classes);
            }
            case "nanolm" -> {
                if (!text) throw new IllegalArgumentException("nanolm is a language model: use text data (e.g. --data text) not images");
                yield nanoLM(2, 128, 4, (int) input[0], classes);
            }
            case "lstm" -> text ? lstmLM((int) input[0], classes, 64, 128) : lstm(image.length == 3 ? new long[]{image[1], image[2] * image[0]} : image, 128, classes);
            default -> throw new IllegalArgumentException("unknown model '" + parts[0] + "'; valid: " + String.join(", ", NAMES) + " (mlp needs widths, e.g. mlp:784-256-10)");
        };
    }

    private static Network.Builder imageModel(String name, String[] parts, long[] image, int classes) {
        return switch (name) {
            case "cnn" -> cnn(image, classes);
            case "resnet18" -> resnet18(image, classes, normOption(parts));
            case "resnet34" -> resnet34(image, classes, normOption(parts));
            case "mixer" -> mlpMixer(Size.TINY, 4, image, classes);
            case "vit" -> vitTiny(7, image, classes);
            default -> throw new IllegalStateException(name);
        };
    }

    private static boolean isSquare(long n) {
        long r = Math.round(Math.sqrt(n));
        return r * r == n && n >= 64;
    }

    private static long[] squareImage(long n) {
        if (!isSquare(n)) throw new IllegalArgumentException("cannot view inputs of " + n + " values as a square image; give (channels, height, width)");
        long r = Math.round(Math.sqrt(n));
        return new long[]{1, r, r};
    }

    private static Norm normOption(String[] parts) {
        if (parts.length < 2) return Norm.BATCH;
        return switch (parts[1].toLowerCase(Locale.ROOT)) {
            case "none", "nonorm" -> Norm.NONE;
            case "layer", "ln", "layernorm" -> Norm.LAYER;
            case "batch", "bn", "batchnorm" -> Norm.BATCH;
            default -> throw new IllegalArgumentException("unknown norm '" + parts[1] + "'; valid: batch, layer, none (e.g. resnet34:none)");
        };
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
