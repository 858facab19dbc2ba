package org.tuneless.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the embedded Fashion-MNIST subset (first 4,096 train, first 1,024 test examples) from the Debian files.
 * Run: {@code java -cp <test classpath> org.tuneless.data.EmbeddedSubsetTool /usr/share/datasets/fashion-mnist
 * optimizers/src/main/resources/org/tuneless/data/fashion-mnist-embedded}
 */
public final class EmbeddedSubsetTool {

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        Files.createDirectories(out);
        copy(in, out, "train", FashionMnist.EMBEDDED_TRAIN);
        copy(in, out, "t10k", FashionMnist.EMBEDDED_TEST);
    }

    private static void copy(Path in, Path out, String prefix, int n) throws IOException {
        IdxReader.Images images = IdxReader.readImages(in.resolve(prefix + "-images-idx3-ubyte.gz"));
        byte[] labels = IdxReader.readLabels(in.resolve(prefix + "-labels-idx1-ubyte.gz"));
        writeImages(out.resolve(prefix + "-images-idx3-ubyte.gz"), images, n);
        writeLabels(out.resolve(prefix + "-labels-idx1-ubyte.gz"), labels, n);
    }

    static void writeImages(Path file, IdxReader.Images images, int n) throws IOException {
        try (OutputStream fo = Files.newOutputStream(file); DataOutputStream o = new DataOutputStream(new GZIPOutputStream(fo))) {
            o.writeInt(IdxReader.IMAGES_MAGIC);
            o.writeInt(n);
            o.writeInt(images.rows());
            o.writeInt(images.cols());
            o.write(images.pixels(), 0, n * images.rows() * images.cols());
        }
    }

    static void writeLabels(Path file, byte[] labels, int n) throws IOException {
        try (OutputStream fo = Files.newOutputStream(file); DataOutputStream o = new DataOutputStream(new GZIPOutputStream(fo))) {
            o.writeInt(IdxReader.LABELS_MAGIC);
            o.writeInt(n);
            o.write(labels, 0, n);
        }
    }
}
