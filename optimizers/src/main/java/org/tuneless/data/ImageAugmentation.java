package org.tuneless.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.Snapshot;

/**
 * Standard image augmentation for training batches: random crop with zero padding (pad every side by p, crop back to
 * H×W at a uniformly random offset, i.e. shift the image by (dy, dx) ∈ [−p, p]² and fill with zeros) followed by a
 * random horizontal flip with probability ½ (the CIFAR recipe of He et al. 2016, §4.2: p = 4 for 32×32).
 *
 * <p>Works on inputs (n, C, H, W) or any shape holding C·H·W values per example (e.g. flat (n, C·H·W), C-order) and
 * returns the same shape and data type; targets are untouched. The random choices come from a seeded generator, so the
 * same seed gives the same augmented batches for the same batch sequence. Whole-batch native ops: one padded copy, two
 * {@code pullRows} gathers and one transpose per batch (see {@link #transform}).
 *
 * <p>Plug-in: {@code aug.wrap(new MinibatchStream(train, 128, seed))} is a {@link BatchStream} for
 * {@code Trainer.builder().data(...)}; or apply it to any batch as a {@code UnaryOperator<Batch>}. Augment training
 * batches only, not the evaluation set.
 */
public final class ImageAugmentation implements UnaryOperator<Batch> {

    private final int channels;
    private final int height;
    private final int width;
    private final int padding;
    private final boolean flip;
    private final SplittableRandom rng;
    private long augmented;  // examples augmented so far: the generator's position

    /**
     * @param padding zero padding p on each side for the random crop (0: no crop)
     * @param flip    whether to flip horizontally with probability ½
     */
    public ImageAugmentation(int channels, int height, int width, int padding, boolean flip, long seed) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape (channels " + channels + ", height " + height + ", width " + width + ") must be positive");
        }
        if (padding < 0) throw new IllegalArgumentException("padding = " + padding + " must be ≥ 0 (0 disables the random crop)");
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.flip = flip;
        this.rng = new SplittableRandom(seed);
    }

    /** Random crop with padding p and random horizontal flip, e.g. {@code cropAndFlip(3, 32, 32, 4, seed)} for CIFAR. */
    public static ImageAugmentation cropAndFlip(int channels, int height, int width, int padding, long seed) {
        return new ImageAugmentation(channels, height, width, padding, true, seed);
    }

    /** The batch with augmented inputs (the next random choices) and the same targets. */
    @Override public Batch apply(Batch batch) { return new Batch(augment(batch.inputs()), batch.targets()); }

    /** Augmented copy of {@code inputs}: per example a shift in [−p, p]² and, if enabled, a coin flip, drawn in order. */
    public INDArray augment(INDArray inputs) {
        int n = (int) inputs.size(0);
        int[] dy = new int[n], dx = new int[n];
        boolean[] mirror = new boolean[n];
        draw(n, dy, dx, mirror);
        return transform(inputs, dy, dx, mirror);
    }

    /** The random choices for n examples, in order; {@link #augmented} counts them (the generator's position). */
    private void draw(int n, int[] dy, int[] dx, boolean[] mirror) {
        for (int i = 0; i < n; i++) {
            dy[i] = padding == 0 ? 0 : rng.nextInt(2 * padding + 1) - padding;
            dx[i] = padding == 0 ? 0 : rng.nextInt(2 * padding + 1) - padding;
            mirror[i] = flip && rng.nextBoolean();
        }
        augmented += n;
    }

    /** Advances the generator as augmenting {@code examples} examples would (restoring a checkpoint). */
    private void skip(long examples) {
        int[] dy = new int[1], dx = new int[1];
        boolean[] m = new boolean[1];
        for (long i = 0; i < examples; i++) draw(1, dy, dx, m);
    }

    /** Training batches of {@code stream}, augmented; the epoch count is the stream's. */
    public BatchStream wrap(BatchStream stream) {
        return new BatchStream() {
            @Override public Batch next() { return apply(stream.next()); }

            @Override public long epoch() { return stream.epoch(); }

            @Override public void saveState(Snapshot out) {
                out.put("kind", "augmented").put("augmented", augmented).put("padding", padding).put("flip", flip);
                stream.saveState(out.child("inner"));
            }

            @Override public void restoreState(Snapshot in) {
                if (!in.getString("kind").equals("augmented")) throw in.mismatch("kind", "the checkpoint's stream is '" + in.getString("kind") + "', this run's is augmented");
                if (in.getLong("padding") != padding || in.getBoolean("flip") != flip) throw in.mismatch("padding", "the checkpoint's augmentation differs from this run's");
                if (augmented != 0) throw new IllegalStateException("restoreState needs a fresh stream");
                stream.restoreState(in.child("inner"));
                skip(in.getLong("augmented"));
            }
        };
    }

    /**
     * Deterministic transform: example i becomes {@code flip_i(shift_{dy_i, dx_i}(x_i))} where
     * {@code shift(x)[y][x'] = x[y + dy][x' + dx]} (zero outside the image; (p + dy, p + dx) is the crop offset in the
     * padded image, so dy = dx = 0 is the identity; |dy|, |dx| ≤ p) and flip reverses the width axis.
     *
     * <p>Whole-batch native ops, no per-example copies: the batch is written transposed (n, C, W, H) into a zero-padded
     * buffer (one assign), the crop columns of every example (mirrored if flipped) are gathered by one {@code pullRows},
     * transposed back (one permute + copy), and the crop rows gathered by a second {@code pullRows}. Only the row and
     * column index lists, O(n·C·(H + W)), are computed in Java.
     */
    public INDArray transform(INDArray inputs, int[] dy, int[] dx, boolean[] mirror) {
        long n = inputs.size(0);
        long per = (long) channels * height * width;
        if (inputs.length() != n * per) {
            throw new IllegalArgumentException("image augmentation for (channels, height, width) = (" + channels + ", " + height + ", " + width
                    + ") needs " + per + " values per example but got inputs " + Arrays.toString(inputs.shape())
                    + "; give the image shape of the data (e.g. 1, 28, 28 for Fashion-MNIST)");
        }
        if (dy.length != n || dx.length != n || mirror.length != n) {
            throw new IllegalArgumentException("need one shift and flip per example: " + n + " examples but " + dy.length + ", "
                    + dx.length + ", " + mirror.length + " choices");
        }
        int hp = height + 2 * padding, wp = width + 2 * padding;
        if (n * channels * Math.max(hp, wp) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + n + " images too large to augment at once; use smaller batches");
        }
        int planes = (int) n * channels;
        int[] columns = new int[planes * width], rows = new int[planes * height];
        for (int i = 0; i < n; i++) {
            if (Math.abs(dy[i]) > padding || Math.abs(dx[i]) > padding) {
                throw new IllegalArgumentException("shift (" + dy[i] + ", " + dx[i] + ") of example " + i + " exceeds the padding " + padding);
            }
            for (int c = 0; c < channels; c++) {
                int plane = i * channels + c;
                int col0 = plane * wp + padding + dx[i], row0 = plane * hp + padding + dy[i];
                for (int x = 0; x < width; x++) columns[plane * width + x] = col0 + (mirror[i] ? width - 1 - x : x);
                for (int y = 0; y < height; y++) rows[plane * height + y] = row0 + y;
            }
        }
        INDArray transposed = inputs.reshape('c', n, channels, height, width).permute(0, 1, 3, 2);
        INDArray paddedT;
        if (padding == 0) {
            paddedT = transposed.dup('c');
        } else {
            paddedT = Nd4j.zeros(inputs.dataType(), n, channels, wp, hp);
            paddedT.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(padding, padding + width),
                    NDArrayIndex.interval(padding, padding + height)).assign(transposed);
        }
        // (planes·W, Hp): the crop's columns, one row each
        INDArray cropColumns = Nd4j.pullRows(paddedT.reshape('c', (long) planes * wp, hp), 1, columns, 'c');
        INDArray padRows = cropColumns.reshape('c', planes, width, hp).permute(0, 2, 1).dup('c').reshape('c', (long) planes * hp, width);
        INDArray out = Nd4j.pullRows(padRows, 1, rows, 'c'); // (planes·H, W)
        return out.reshape('c', inputs.shape());
    }

    public int padding() { return padding; }

    public boolean flips() { return flip; }

    /** (channels, height, width) of one image. */
    public int[] imageShape() { return new int[]{channels, height, width}; }
}
