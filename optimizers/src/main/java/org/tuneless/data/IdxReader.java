package org.tuneless.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-format IDX files (raw or gzip, detected from the content): unsigned-byte images
 * (magic 0x00000803, dimensions n × rows × cols) and labels (magic 0x00000801, dimension n).
 */
public final class IdxReader {

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    /** Images as raw bytes, row-major, plus their dimensions. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    private IdxReader() {}

    public static Images readImages(Path file) {
        return read(file, IdxReader::images);
    }

    /**
     * The first {@code limit} images of a file (all when it holds fewer): the rest of the file is not read, so a
     * subset of a large file costs memory and time for the subset only.
     */
    public static Images readImages(Path file, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit = " + limit + " must be ≥ 1");
        return read(file, (in, source) -> images(in, source, limit));
    }

    /** The first {@code limit} labels of a file (all when it holds fewer). */
    public static byte[] readLabels(Path file, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit = " + limit + " must be ≥ 1");
        return read(file, (in, source) -> labels(in, source, limit));
    }

    /** Reads images from a stream (e.g. a resource); {@code source} names it in error messages. */
    public static Images readImages(InputStream stream, String source) {
        return read(stream, source, IdxReader::images);
    }

    public static byte[] readLabels(Path file) {
        return read(file, IdxReader::labels);
    }

    public static byte[] readLabels(InputStream stream, String source) {
        return read(stream, source, IdxReader::labels);
    }

    private static Images images(DataInputStream in, String source) throws IOException {
        return images(in, source, Integer.MAX_VALUE);
    }

    private static Images images(DataInputStream in, String source, int limit) throws IOException {
        int magic = in.readInt();
        checkMagic(source, magic, IMAGES_MAGIC, "images");
        int n = in.readInt(), rows = in.readInt(), cols = in.readInt();
        if (n <= 0 || rows <= 0 || cols <= 0) {
            throw new DataFormatException(source + ": bad image dimensions " + n + " × " + rows + " × " + cols
                    + (n == 0 ? " (the file holds no images)" : "") + "; expected count × rows × columns, all positive");
        }
        // count × rows × columns can exceed even a long (three ints): compare before multiplying
        long perImage = (long) rows * cols;
        int count = Math.min(n, limit);
        long length = count > Long.MAX_VALUE / perImage ? Long.MAX_VALUE : count * perImage;
        byte[] pixels = readFully(in, length, source, "pixel data for " + count + (count < n ? " of " + n : "") + " images of " + rows + "×" + cols);
        return new Images(count, rows, cols, pixels);
    }

    private static byte[] labels(DataInputStream in, String source) throws IOException {
        return labels(in, source, Integer.MAX_VALUE);
    }

    private static byte[] labels(DataInputStream in, String source, int limit) throws IOException {
        int magic = in.readInt();
        checkMagic(source, magic, LABELS_MAGIC, "labels");
        int n = in.readInt();
        if (n <= 0) throw new DataFormatException(source + ": label count " + n + (n == 0 ? " (the file holds no labels)" : "") + "; expected a positive count");
        int count = Math.min(n, limit);
        return readFully(in, count, source, count + (count < n ? " of " + n : "") + " labels");
    }

    private interface Body<T> {
        T read(DataInputStream in, String source) throws IOException;
    }

    private static <T> T read(Path file, Body<T> body) {
        String source = file.toAbsolutePath().toString();
        InputStream stream;
        try {
            stream = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(source + ": file not found");
        } catch (IOException e) {
            throw new DataFormatException(source + ": cannot open (" + e.getMessage() + ")", e);
        }
        return read(stream, source, body);
    }

    private static <T> T read(InputStream stream, String source, Body<T> body) {
        try (InputStream raw = new BufferedInputStream(stream)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (DataInputStream in = new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw)) {
                return body.read(in, source);
            }
        } catch (EOFException e) {
            throw new DataFormatException(source + ": truncated file (it ends before the header or the data it announces); the download or copy is incomplete", e);
        } catch (IOException e) {
            throw new DataFormatException(source + ": cannot read (" + e.getMessage() + "); a .gz file may be corrupt", e);
        }
    }

    private static void checkMagic(String source, int magic, int expected, String what) {
        if (magic != expected) {
            String hint = magic == (expected == IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC)
                    ? " (this looks like a " + (expected == IMAGES_MAGIC ? "labels" : "images") + " file: are the file names swapped?)"
                    : " (not an MNIST-format IDX file)";
            throw new DataFormatException(String.format("%s: wrong magic number 0x%08X, expected 0x%08X for %s%s", source, magic, expected, what, hint));
        }
    }

    /**
     * Reads the {@code length} bytes the header announced. Memory grows with the bytes actually present
     * ({@link InputStream#readNBytes(int)} reads in chunks), never with what a header claims: a 100-byte file whose header
     * announces gigabytes fails as truncated after reading 100 bytes.
     */
    private static byte[] readFully(DataInputStream in, long length, String source, String what) throws IOException {
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw new DataFormatException(source + ": " + what + " would be " + length + " bytes, more than one array can hold ("
                    + (Integer.MAX_VALUE - 16) + "); the header is corrupt or the file is not an MNIST-format IDX file");
        }
        byte[] out = in.readNBytes((int) length);
        if (out.length < length) {
            throw new DataFormatException(source + ": truncated file: expected " + length + " bytes of " + what + ", found " + out.length
                    + "; the download or copy is incomplete");
        }
        return out;
    }
}
