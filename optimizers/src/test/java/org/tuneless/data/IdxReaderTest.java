package org.tuneless.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX round trips and every kind of bad input, each with a message that names the file and the problem. */
class IdxReaderTest {

    @TempDir Path dir;

    static void writeIdx(Path file, boolean gzip, int magic, int[] dims, byte[] body, int bodyBytes) throws IOException {
        try (OutputStream fo = Files.newOutputStream(file);
             DataOutputStream o = new DataOutputStream(gzip ? new GZIPOutputStream(fo) : fo)) {
            o.writeInt(magic);
            for (int d : dims) o.writeInt(d);
            o.write(body, 0, bodyBytes);
        }
    }

    static byte[] pixels(int n) {
        byte[] b = new byte[n * 4];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 37);
        return b;
    }

    /** Writes a valid 2×2-image dataset of n examples: images + labels (label i % 10). */
    static void writeDataset(Path dir, String prefix, int n, boolean gzip) throws IOException {
        String ext = gzip ? ".gz" : "";
        writeIdx(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gzip, IdxReader.IMAGES_MAGIC, new int[]{n, 2, 2}, pixels(n), n * 4);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        writeIdx(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gzip, IdxReader.LABELS_MAGIC, new int[]{n}, labels, n);
    }

    @Test void readsRawAndGzipFilesIdentically() throws IOException {
        for (boolean gzip : new boolean[]{false, true}) {
            Path f = dir.resolve("img" + gzip);
            writeIdx(f, gzip, IdxReader.IMAGES_MAGIC, new int[]{3, 2, 2}, pixels(3), 12);
            IdxReader.Images images = IdxReader.readImages(f);
            assertEquals(3, images.count());
            assertEquals(2, images.rows());
            assertEquals(2, images.cols());
            assertArrayEquals(pixels(3), images.pixels());
        }
    }

    @Test void pixelsAreScaledToTheUnitInterval() throws IOException {
        writeDataset(dir, "train", 12, true);
        writeDataset(dir, "t10k", 5, false);
        TrainTestSplit s = FashionMnist.load(dir);
        assertEquals(12, s.train().size());
        assertEquals(5, s.test().size());
        // pixel k of the file is (k·37) mod 256, divided by 255
        assertEquals(((5 * 37) & 0xff) / 255.0, s.train().inputs().getDouble(1, 1), 1e-7);
        assertEquals(3, s.train().labels()[3]);
        assertEquals(1.0, s.train().targets().getDouble(3, 3), 0);
    }

    @Test void missingFileNamesThePathAndTheFix() {
        DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("train-images-idx3-ubyte").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("file not found") && e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        DataFormatException notDir = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir.resolve("nope")));
        assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());
    }

    @Test void truncatedPixelDataIsReportedWithByteCounts() throws IOException {
        Path f = dir.resolve("short-images");
        writeIdx(f, false, IdxReader.IMAGES_MAGIC, new int[]{3, 2, 2}, pixels(3), 7);
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().startsWith(f.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("expected 12 bytes") && e.getMessage().contains("found 7"), e.getMessage());
    }

    @Test void truncatedHeaderIsReported() throws IOException {
        Path f = dir.resolve("tiny");
        Files.write(f, new byte[]{0, 0, 8, 3, 0, 0});
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test void wrongMagicNumberIsReportedInHex() throws IOException {
        Path f = dir.resolve("labels-as-images");
        writeIdx(f, true, IdxReader.LABELS_MAGIC, new int[]{3}, new byte[3], 3);
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(f));
        assertTrue(e.getMessage().contains("wrong magic number 0x00000801, expected 0x00000803 for images"), e.getMessage());
        assertTrue(e.getMessage().contains("swapped"), e.getMessage());
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "hello world, not an idx file");
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readLabels(junk)).getMessage().contains("not an MNIST-format IDX file"));
    }

    @Test void mismatchedImageAndLabelCountsAreReported() throws IOException {
        writeIdx(dir.resolve("i"), false, IdxReader.IMAGES_MAGIC, new int[]{4, 2, 2}, pixels(4), 16);
        writeIdx(dir.resolve("l"), false, IdxReader.LABELS_MAGIC, new int[]{3}, new byte[3], 3);
        DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.fromFiles(dir.resolve("i"), dir.resolve("l")));
        assertTrue(e.getMessage().contains("has 4 images") && e.getMessage().contains("has 3 labels"), e.getMessage());
    }

    @Test void labelOutOfRangeIsReported() throws IOException {
        writeIdx(dir.resolve("i"), false, IdxReader.IMAGES_MAGIC, new int[]{2, 2, 2}, pixels(2), 8);
        writeIdx(dir.resolve("l"), false, IdxReader.LABELS_MAGIC, new int[]{2}, new byte[]{1, 12}, 2);
        DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.fromFiles(dir.resolve("i"), dir.resolve("l")));
        assertTrue(e.getMessage().contains("label 12") && e.getMessage().contains("0..9"), e.getMessage());
    }

    @Test void corruptGzipIsReported() throws IOException {
        Path f = dir.resolve("bad.gz");
        Files.write(f, new byte[]{0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
