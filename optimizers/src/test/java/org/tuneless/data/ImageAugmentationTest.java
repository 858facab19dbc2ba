package org.tuneless.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;

class ImageAugmentationTest {

    private static final int N = 3, C = 2, H = 5, W = 4;

    /** Positive random images (n, C, H, W), so zeros can only come from the padding. */
    private static INDArray images(long seed) {
        Random r = new Random(seed);
        double[] v = new double[N * C * H * W];
        for (int i = 0; i < v.length; i++) v[i] = 1 + r.nextDouble();
        return Nd4j.createFromArray(v).reshape(N, C, H, W);
    }

    /** Per-pixel reference: flip(shift_{dy,dx}(x)). */
    private static INDArray reference(INDArray x, int[] dy, int[] dx, boolean[] flip) {
        INDArray out = Nd4j.zeros(DataType.DOUBLE, N, C, H, W);
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int xx = 0; xx < W; xx++) {
                        int col = flip[i] ? W - 1 - xx : xx; // flipped output column xx shows shifted column W−1−xx
                        int sy = y + dy[i], sx = col + dx[i];
                        if (sy >= 0 && sy < H && sx >= 0 && sx < W) out.putScalar(new long[]{i, c, y, xx}, x.getDouble(i, c, sy, sx));
                    }
                }
            }
        }
        return out;
    }

    @Test void zeroShiftWithoutFlipIsTheIdentityAndShapesArePreserved() {
        ImageAugmentation aug = ImageAugmentation.cropAndFlip(C, H, W, 2, 0);
        INDArray x = images(1);
        INDArray y = aug.transform(x, new int[N], new int[N], new boolean[N]);
        assertArrayEquals(x.shape(), y.shape());
        assertEquals(x, y);
        INDArray flat = x.reshape(N, C * H * W);
        INDArray yFlat = aug.augment(flat);
        assertArrayEquals(new long[]{N, C * H * W}, yFlat.shape());
        assertEquals(DataType.DOUBLE, yFlat.dataType());
        assertEquals(DataType.FLOAT, aug.augment(flat.castTo(DataType.FLOAT)).dataType());
    }

    @Test void flipReversesTheWidthAndTwiceIsTheIdentity() {
        ImageAugmentation aug = new ImageAugmentation(C, H, W, 0, true, 0);
        INDArray x = images(2);
        boolean[] flip = {true, false, true};
        int[] zero = new int[N];
        INDArray once = aug.transform(x, zero, zero, flip);
        assertEquals(reference(x, zero, zero, flip), once);
        assertEquals(x.getDouble(0, 1, 2, 0), once.getDouble(0, 1, 2, W - 1), 0);
        assertEquals(x.getDouble(1, 1, 2, 0), once.getDouble(1, 1, 2, 0), 0, "example 1 is not flipped");
        assertNotEquals(x, once);
        assertEquals(x, aug.transform(once, zero, zero, flip));
    }

    @Test void shiftsFillThePaddingWithZerosAndMatchThePerPixelReference() {
        ImageAugmentation aug = ImageAugmentation.cropAndFlip(C, H, W, 2, 0);
        INDArray x = images(3);
        int[] dy = {2, -1, 0}, dx = {0, -2, 1};
        boolean[] flip = {false, true, true};
        INDArray y = aug.transform(x, dy, dx, flip);
        assertEquals(reference(x, dy, dx, flip), y);
        // example 0 moved up by 2: its last two rows are padding
        assertEquals(0.0, y.get(NDArrayIndex.point(0), NDArrayIndex.all(),
                NDArrayIndex.interval(H - 2, H)).norm1Number().doubleValue(), 0);
        assertEquals(x.getDouble(0, 0, 2, 1), y.getDouble(0, 0, 0, 1), 0);
        // zeros exactly where the reference puts padding: 2·W·C + (1·W + 2·H − 2)·C + 1·H·C pixels
        long zeros = y.eq(0).castTo(DataType.INT).sumNumber().longValue();
        assertEquals(2L * W * C + (W + 2L * H - 2) * C + (long) H * C, zeros);
        // padding as large as the image: a shift by H leaves only zeros
        INDArray gone = new ImageAugmentation(C, H, W, H, false, 0).transform(x, new int[]{H, 0, 0}, new int[N], new boolean[N]);
        assertEquals(0.0, gone.get(NDArrayIndex.point(0)).norm1Number().doubleValue(), 0);
        assertEquals(x.get(NDArrayIndex.point(1)), gone.get(NDArrayIndex.point(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> aug.transform(x, new int[]{0, 3, 0}, new int[N], new boolean[N]));
        assertTrue(e.getMessage().contains("exceeds the padding 2"), e.getMessage());
    }

    @Test void sameSeedSameAugmentationsAndShiftsStayWithinThePadding() {
        INDArray x = images(4);
        int p = 1;
        ImageAugmentation a = ImageAugmentation.cropAndFlip(C, H, W, p, 42), b = ImageAugmentation.cropAndFlip(C, H, W, p, 42),
                c = ImageAugmentation.cropAndFlip(C, H, W, p, 43);
        boolean anyChange = false;
        INDArray fromC = null, fromA = null;
        for (int k = 0; k < 5; k++) {
            INDArray ya = a.augment(x);
            assertEquals(ya, b.augment(x));
            fromA = fromA == null ? ya : Nd4j.concat(0, fromA, ya);
            INDArray yc = c.augment(x);
            fromC = fromC == null ? yc : Nd4j.concat(0, fromC, yc);
            anyChange |= !ya.equals(x);
            // every example is one of the (2p+1)²·2 admissible crops/flips of its image
            for (int i = 0; i < N; i++) assertTrue(isAdmissible(x, ya, i, p), "example " + i + " of draw " + k);
        }
        assertTrue(anyChange);
        assertNotEquals(fromA, fromC, "another seed, other augmentations");
    }

    @Test void pluggedIntoABatchStream() {
        INDArray x = images(5);
        INDArray t = Nd4j.eye(N).castTo(DataType.DOUBLE);
        Batch batch = new Batch(x.reshape(N, C * H * W), t);
        BatchStream s = ImageAugmentation.cropAndFlip(C, H, W, 1, 9).wrap(BatchStream.fixed(batch));
        ImageAugmentation same = ImageAugmentation.cropAndFlip(C, H, W, 1, 9);
        for (int k = 0; k < 3; k++) {
            Batch b = s.next();
            assertSame(t, b.targets());
            assertEquals(same.apply(batch).inputs(), b.inputs());
        }
        assertEquals(2, s.epoch());
        Dataset d = Dataset.classification(x.reshape(N, C * H * W), new int[]{0, 1, 2}, 3);
        BatchStream m = ImageAugmentation.cropAndFlip(C, H, W, 1, 9).wrap(new MinibatchStream(d, 2, 0));
        assertArrayEquals(new long[]{2, C * H * W}, m.next().inputs().shape());
    }

    @Test void wrongImageShapesAreExplained() {
        ImageAugmentation aug = ImageAugmentation.cropAndFlip(1, 28, 28, 2, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> aug.augment(Nd4j.zeros(DataType.FLOAT, 4, 3 * 32 * 32)));
        assertTrue(e.getMessage().contains("784 values per example") && e.getMessage().contains("[4, 3072]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImageAugmentation(1, 28, 28, -1, true, 0));
        assertThrows(IllegalArgumentException.class, () -> aug.transform(Nd4j.zeros(DataType.FLOAT, 2, 784), new int[1], new int[2], new boolean[2]));
    }

    private static boolean isAdmissible(INDArray x, INDArray y, int i, int p) {
        int[] one = new int[N], two = new int[N];
        boolean[] f = new boolean[N];
        for (int dy = -p; dy <= p; dy++) {
            for (int dx = -p; dx <= p; dx++) {
                for (boolean flip : new boolean[]{false, true}) {
                    one[i] = dy;
                    two[i] = dx;
                    f[i] = flip;
                    INDArray ref = reference(x, one, two, f);
                    if (ref.get(NDArrayIndex.point(i)).equals(y.get(NDArrayIndex.point(i)))) return true;
                }
            }
        }
        return false;
    }
}
