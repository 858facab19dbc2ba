package org.tuneless.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

import org.tuneless.catalog.Component;
import org.tuneless.optim.Optimizers;
import org.tuneless.run.Catalogs;
import org.tuneless.run.RunSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of every reader of user files that lives below the run layer — IDX images and labels (raw and
 * gzip), CSV regression data, text corpora — and of run specifications (JSON): generated corruptions of valid inputs
 * (truncations, flipped bytes, header fields set to arbitrary integers, gzip damage, mutated JSON fields). No input may
 * escape with anything but the documented exception ({@link DataFormatException} for files,
 * {@link IllegalArgumentException} for specs and options) carrying a message, and no reader may allocate in proportion
 * to what a header claims rather than to the bytes present.
 *
 * <p>A short run (a few hundred tries per property) is part of the test suite; a long one is a documented command:
 * {@code mvn -pl optimizers test -Dtest=LoaderFuzzTest -Djqwik.tries.default=100000} (docs/fuzzing.md). Each finding
 * became an {@code @Example} below.
 */
class LoaderFuzzTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    // ---- IDX ------------------------------------------------------------------------------------------------------

    static byte[] images(int n, int rows, int cols, int fill) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) b.put((byte) (fill + 31 * i));
        return b.array();
    }

    static byte[] labels(int n, int fill) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(n);
        for (int i = 0; i < n; i++) b.put((byte) ((fill + i) % 10));
        return b.array();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** kind 0: truncate; 1: set one byte; 2: set one header int (to any int, huge and negative included); 3: append garbage. */
    static byte[] corrupt(byte[] v, int kind, int pos, int value) {
        switch (kind) {
            case 0: return java.util.Arrays.copyOf(v, Math.floorMod(pos, v.length + 1));
            case 1: { byte[] c = v.clone(); c[Math.floorMod(pos, c.length)] = (byte) value; return c; }
            case 2: {
                byte[] c = v.clone();
                int headerInts = c.length >= 16 && ByteBuffer.wrap(c).getInt(0) == IdxReader.IMAGES_MAGIC ? 4 : 2;
                ByteBuffer.wrap(c).putInt(4 * Math.floorMod(pos, headerInts), value);
                return c;
            }
            default: {
                byte[] c = java.util.Arrays.copyOf(v, v.length + 1 + Math.floorMod(pos, 64));
                for (int i = v.length; i < c.length; i++) c[i] = (byte) (value + i);
                return c;
            }
        }
    }

    /** A valid file, corrupted raw, or corrupted and then gzipped, or gzipped and then corrupted. */
    private static Arbitrary<byte[]> corrupted(Arbitrary<byte[]> valid) {
        Arbitrary<Integer> ints = Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(-2, 300),
                Arbitraries.of(0, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 0x803, 0x801));
        return Combinators.combine(valid, Arbitraries.integers().between(0, 3), Arbitraries.integers(), ints, Arbitraries.integers().between(0, 2))
                .as((v, kind, pos, value, mode) -> switch (mode) {
                    case 0 -> corrupt(v, kind, pos, value);
                    case 1 -> gzip(corrupt(v, kind, pos, value));
                    default -> corrupt(gzip(v), kind, pos, value);
                });
    }

    @Provide Arbitrary<byte[]> corruptedImages() {
        return corrupted(Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 5),
                Arbitraries.integers().between(1, 5), Arbitraries.integers().between(0, 255)).as(LoaderFuzzTest::images));
    }

    @Provide Arbitrary<byte[]> corruptedLabels() {
        return corrupted(Combinators.combine(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(0, 9)).as(LoaderFuzzTest::labels));
    }

    /** Bytes allocated by this thread while {@code body} runs (HotSpot's per-thread allocation counter). */
    static long allocated(Runnable body) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId(), before = threads.getThreadAllocatedBytes(id);
        body.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    /** Runs {@code read}; only a {@link DataFormatException} naming {@code source} may escape, and memory stays bounded. */
    static <T> T readOrRefuse(String source, int inputBytes, Supplier<T> read) {
        Object[] result = new Object[1];
        long bytes = allocated(() -> {
            try {
                result[0] = read.get();
            } catch (DataFormatException e) {
                assertTrue(e.getMessage() != null && e.getMessage().contains(source), "message names the file: " + e.getMessage());
            } catch (Throwable t) {
                fail("undocumented " + t.getClass().getName() + " for a " + inputBytes + "-byte input: " + t.getMessage(), t);
            }
        });
        // the reader's buffers (64 KiB gzip window, 8 KiB chunks) plus a few times the input: never what a header claims
        assertTrue(bytes < (8L << 20) + 16L * inputBytes, "allocated " + bytes + " bytes for a " + inputBytes + "-byte input");
        @SuppressWarnings("unchecked") T t = (T) result[0];
        return t;
    }

    @Property
    void corruptedImageFilesAreReadOrRefusedWithTheDocumentedException(@ForAll("corruptedImages") byte[] file) {
        IdxReader.Images im = readOrRefuse("fuzz.idx", file.length, () -> IdxReader.readImages(new ByteArrayInputStream(file), "fuzz.idx"));
        if (im != null) assertEquals((long) im.count() * im.rows() * im.cols(), im.pixels().length);
    }

    @Property
    void corruptedLabelFilesAreReadOrRefusedWithTheDocumentedException(@ForAll("corruptedLabels") byte[] file) {
        byte[] l = readOrRefuse("fuzz-labels", file.length, () -> IdxReader.readLabels(new ByteArrayInputStream(file), "fuzz-labels"));
        if (l != null) assertTrue(l.length > 0);
    }

    @Example
    void aTinyFileWhoseHeaderAnnouncesGigabytesFailsAsTruncatedWithoutAllocatingThem() {
        // finding of the probe: a 116-byte file announcing 2.1 GB of pixels made the reader allocate them first
        byte[] file = ByteBuffer.allocate(116).putInt(IdxReader.IMAGES_MAGIC).putInt(30_000_000).putInt(28).putInt(28).array();
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(new ByteArrayInputStream(file), "tiny"));
        assertTrue(e.getMessage().startsWith("tiny: truncated file: expected 23520000000 bytes")
                || e.getMessage().contains("more than one array can hold"), e.getMessage());
        byte[] claims2g = ByteBuffer.allocate(116).putInt(IdxReader.IMAGES_MAGIC).putInt(2_700_000).putInt(28).putInt(28).array();
        long bytes = allocated(() -> assertThrows(DataFormatException.class, () -> IdxReader.readImages(new ByteArrayInputStream(claims2g), "tiny")));
        assertTrue(bytes < 8L << 20, "allocated " + bytes + " bytes for a file announcing 2.1 GB");
    }

    @Example
    void headerDimensionsWhoseProductOverflowsALongAreRefused() {
        // finding of the fuzzer (gzip file, seed -4475167899566978794): count × rows × columns of three large ints
        // overflowed the long product to a negative length and escaped as IllegalArgumentException("len < 0")
        byte[] file = ByteBuffer.allocate(32).putInt(IdxReader.IMAGES_MAGIC).putInt(0x7000_0000).putInt(0x7000_0000).putInt(0x7000_0000).array();
        for (byte[] f : new byte[][]{file, gzip(file)}) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.readImages(new ByteArrayInputStream(f), "huge"));
            assertTrue(e.getMessage().contains("more than one array can hold"), e.getMessage());
        }
    }

    @Example
    void aFileWithNoImagesOrNoLabelsIsRefusedByName() {
        // finding: an IDX file of zero images went through and ended in "/ by zero" later
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readImages(new ByteArrayInputStream(images(0, 2, 2, 0)), "empty"))
                .getMessage().contains("the file holds no images"));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readLabels(new ByteArrayInputStream(labels(0, 0)), "empty"))
                .getMessage().contains("the file holds no labels"));
    }

    // ---- CSV and text -------------------------------------------------------------------------------------------------

    @Provide Arbitrary<String> csvTexts() {
        Arbitrary<String> noise = Arbitraries.strings().withChars("0123456789,.-+eE\"\n\r xyNaInf;\t").ofMaxLength(160);
        Arbitrary<String> valid = Arbitraries.integers().between(0, 12).map(rows -> {
            StringBuilder sb = new StringBuilder("a,b,y\n");
            for (int i = 0; i < rows; i++) sb.append(i).append(',').append(i * i % 7).append(',').append(i % 3).append('\n');
            return sb.toString();
        });
        return Arbitraries.oneOf(noise, Combinators.combine(valid, noise, Arbitraries.integers()).as((v, n, pos) -> {
            int at = Math.floorMod(pos, v.length() + 1);
            return v.substring(0, at) + n + v.substring(at);
        }));
    }

    @Property
    void csvTextIsLoadedOrRefusedWithTheDocumentedException(@ForAll("csvTexts") String csv) {
        try {
            CsvRegression.Data d = CsvRegression.fromText(csv).load();
            assertTrue(d.train().size() > 0 && d.test().size() > 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "an error without a message");
        } catch (Throwable t) {
            fail("undocumented " + t.getClass().getName() + " for CSV " + new ObjectMapper().valueToTree(csv) + ": " + t.getMessage(), t);
        }
    }

    @Property
    void textFilesAreReadOrRefusedWithTheDocumentedException(@ForAll byte[] bytes) throws IOException {
        Path f = Files.createTempFile("fuzz", ".txt");
        try {
            Files.write(f, bytes);
            CharTextDataset d = readOrRefuse(f.toAbsolutePath().toString(), bytes.length, () -> CharTextDataset.fromFile(f));
            if (d != null) assertTrue(d.vocabularySize() > 0);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Example
    void aTextCorpusLargerThanTheLimitIsRefusedBeforeReading() throws IOException {
        // finding of the probe: a 3 GB text file ended in a raw OutOfMemoryError from Files.readAllBytes
        Path f = Files.createTempFile("huge", ".txt");
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(3L << 30);  // sparse: no disk used, nothing to read
        }
        try {
            long bytes = allocated(() -> {
                DataFormatException e = assertThrows(DataFormatException.class, () -> CharTextDataset.fromFile(f));
                assertTrue(e.getMessage().contains("the file has 3221225472 bytes, more than the"), e.getMessage());
            });
            assertTrue(bytes < 8L << 20, "allocated " + bytes);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    // ---- run specifications ---------------------------------------------------------------------------------------------

    static final JsonNode[] REPLACEMENTS = {F.nullNode(), F.textNode(""), F.textNode("x"), F.numberNode(-1), F.numberNode(0),
            F.numberNode(1e308), F.numberNode(-1e308), F.numberNode(2147483648L), F.numberNode(1.5), F.booleanNode(true),
            F.arrayNode(), F.objectNode(), F.arrayNode().add(1).add("a"), F.objectNode().put("name", "zzz"), F.textNode("NaN"),
            F.numberNode(Double.MAX_VALUE * 0), F.textNode("full"), F.objectNode().put("name", "adam").put("lr", -3)};

    static RunSpec richSpec() {
        return RunSpec.defaults()
                .withOptimizer(Optimizers.spec("cdat", Map.of("base", "adam", "scale", "1.5")))
                .withTracking(List.of(Catalogs.TRACKERS.spec("sharpness", Map.of("every", 5))))
                .withBatch(RunSpec.Batch.of(64)).withEvaluation(RunSpec.Evaluation.every(7).subset(10))
                .withAugmentation(new RunSpec.Augmentation(2, true));
    }

    static List<JsonNode> nodes(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        out.add(n);
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) out.addAll(nodes(it.next()));
        return out;
    }

    @Property
    void mutatedRunSpecsAreReadOrRefusedWithAMessage(@ForAll int where, @ForAll int what, @ForAll boolean remove) {
        ObjectNode tree = (ObjectNode) richSpec().toJsonTree().deepCopy();
        List<JsonNode> containers = nodes(tree).stream().filter(JsonNode::isContainerNode).toList();
        JsonNode parent = containers.get(Math.floorMod(where, containers.size()));
        JsonNode replacement = REPLACEMENTS[Math.floorMod(what, REPLACEMENTS.length)].deepCopy();
        if (parent instanceof ObjectNode o && o.size() > 0) {
            String key = new ArrayList<>(iterable(o.fieldNames())).get(Math.floorMod(where / 7, o.size()));
            if (remove) o.remove(key);
            else o.set(key, replacement);
        } else if (parent instanceof ArrayNode a) {
            if (a.isEmpty() || remove) a.add(replacement);
            else a.set(Math.floorMod(where / 7, a.size()), replacement);
        }
        try {
            RunSpec s = RunSpec.fromJson(tree);
            assertEquals(s, RunSpec.fromJson(s.toJson()), "what is accepted round-trips");
        } catch (IllegalArgumentException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "an error without a message");
        } catch (Throwable t) {
            fail("undocumented " + t.getClass().getName() + " for the spec " + tree + ": " + t.getMessage(), t);
        }
    }

    private static <T> List<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Example
    void theRichSpecUsedForMutationIsValid() {
        Component o = richSpec().optimizer();
        assertEquals("cdat", o.name());
        assertEquals(richSpec(), RunSpec.fromJson(richSpec().toJson()));
    }
}
