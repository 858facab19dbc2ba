package org.tuneless.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.objective.Quadratic;
import org.tuneless.optim.Optimizers;
import org.tuneless.tensor.SafeTensors;

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
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzed readers of checkpoints and safetensors files (docs/fuzzing.md): any corruption of a valid file — truncation, a
 * changed byte, a changed header length, garbage appended, a mutated JSON header or state.json — is either read or
 * refused with an {@link IllegalArgumentException} naming the file; never another exception, never an allocation
 * that follows a corrupted size instead of the file's, never a resume that silently runs from a corrupt state.
 */
class CheckpointFuzzTest {

    static Path root;
    static byte[] validTensors;
    static Path validCheckpoint;

    @BeforeContainer static void makeValidFiles() throws IOException {
        root = Files.createTempDirectory("tuneless-ckpt-fuzz");
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> t = new LinkedHashMap<>();
        t.put("dense0.W", Nd4j.linspace(DataType.FLOAT, 1, 12, 12).reshape(3, 4));
        t.put("dense0.b", Nd4j.linspace(DataType.DOUBLE, -1, 1, 4));
        t.put("steps", Nd4j.createFromArray(3L, 4L));
        Path f = root.resolve("valid.safetensors");
        SafeTensors.write(f, t, Map.of("tuneless.model", "mlp:3-4"));
        validTensors = Files.readAllBytes(f);
        // a real checkpoint: Adam on a quadratic, 4 steps
        Path ck = root.resolve("run");
        Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(Optimizers.create("adam", Map.of()))
                .steps(4).checkpoints(new Trainer.CheckpointPolicy(ck, 4, 1, false)).build().run();
        validCheckpoint = Checkpoint.newest(ck).directory();
    }

    @AfterContainer static void cleanUp() throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static long allocated(Runnable body) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId(), before = threads.getThreadAllocatedBytes(id);
        body.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    /** kind 0 truncate, 1 set a byte, 2 set the 8-byte header length, 3 append garbage, 4 overwrite a header character. */
    static byte[] corrupt(byte[] v, int kind, int pos, long value) {
        switch (kind) {
            case 0: return java.util.Arrays.copyOf(v, Math.floorMod(pos, v.length + 1));
            case 1: { byte[] c = v.clone(); c[Math.floorMod(pos, c.length)] = (byte) value; return c; }
            case 2: { byte[] c = v.clone(); ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value); return c; }
            case 3: {
                byte[] c = java.util.Arrays.copyOf(v, v.length + 1 + Math.floorMod(pos, 64));
                for (int i = v.length; i < c.length; i++) c[i] = (byte) (value + i);
                return c;
            }
            default: {
                byte[] c = v.clone();
                long n = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                c[8 + Math.floorMod(pos, (int) n)] = "0123456789[]{},:\"-eE.xFIU "
                        .getBytes(StandardCharsets.US_ASCII)[Math.floorMod((int) value, 26)];
                return c;
            }
        }
    }

    @Provide Arbitrary<byte[]> corruptedTensors() {
        Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-2, 400),
                Arbitraries.of(0L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, (long) Integer.MAX_VALUE + 1));
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers(), values).as((k, p, v) -> corrupt(validTensors, k, p, v));
    }

    @Property
    void corruptedSafetensorsFilesAreReadOrRefusedNamingTheFile(@ForAll("corruptedTensors") byte[] bytes) throws IOException {
        Path f = Files.createTempFile(root, "fuzz", ".safetensors");
        Files.write(f, bytes);
        try {
            long used = allocated(() -> {
                try {
                    SafeTensors.Contents c = SafeTensors.read(f);
                    for (var e : c.tensors().entrySet()) assertTrue(e.getValue().length() >= 0, e.getKey());
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage() != null && e.getMessage().contains(f.getFileName().toString()), "names the file: " + e.getMessage());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (Throwable t) {
                    fail("undocumented " + t.getClass().getName() + " for a " + bytes.length + "-byte file: " + t.getMessage(), t);
                }
            });
            assertTrue(used < (8L << 20) + 64L * bytes.length, "allocated " + used + " bytes for a " + bytes.length + "-byte file");
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final JsonNode[] REPLACEMENTS = {F.nullNode(), F.textNode(""), F.textNode("x"), F.numberNode(-1), F.numberNode(0),
            F.numberNode(1e308), F.numberNode(2147483648L), F.numberNode(1.5), F.booleanNode(true), F.arrayNode(), F.objectNode(),
            F.arrayNode().add(1).add("a"), F.textNode("NaN"), F.numberNode(Long.MAX_VALUE)};

    static List<JsonNode> nodes(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        out.add(n);
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) out.addAll(nodes(it.next()));
        return out;
    }

    /** Copies the valid checkpoint and applies {@code damage} to it. */
    static Path copyOfCheckpoint() throws IOException {
        Path dir = Files.createTempDirectory(root, "ck");
        try (var s = Files.list(validCheckpoint)) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }

    /** Reads the damaged checkpoint and resumes a fresh identical run from it: each either works or is refused by name. */
    static void readOrRefuse(Path dir, String what) {
        try {
            Checkpoint c = Checkpoint.read(dir);
            TrainingRun r = Trainer.builder().objective(Quadratic.diagonal(new double[]{1, 10}, 1, 1)).optimizer(Optimizers.create("adam", Map.of()))
                    .steps(6).resume(c).build().run();
            assertTrue(r.history().size() <= 6, what);
        } catch (IllegalArgumentException | IllegalStateException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(dir.getFileName().toString()) || e.getMessage().contains("checkpoint"),
                    what + ": the message names the checkpoint: " + e.getMessage());
        } catch (Throwable t) {
            fail("undocumented " + t.getClass().getName() + " for " + what + ": " + t.getMessage(), t);
        }
    }

    @Property
    void mutatedCheckpointStateIsReadOrRefusedByName(@ForAll int where, @ForAll int what, @ForAll boolean remove) throws IOException {
        Path dir = copyOfCheckpoint();
        ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(dir.resolve("state.json").toFile());
        List<JsonNode> containers = nodes(tree).stream().filter(JsonNode::isContainerNode).toList();
        JsonNode parent = containers.get(Math.floorMod(where, containers.size()));
        JsonNode replacement = REPLACEMENTS[Math.floorMod(what, REPLACEMENTS.length)].deepCopy();
        if (parent instanceof ObjectNode o && o.size() > 0) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            String key = keys.get(Math.floorMod(where / 7, keys.size()));
            if (remove) o.remove(key);
            else o.set(key, replacement);
        } else if (parent instanceof ArrayNode a) {
            if (a.isEmpty() || remove) a.add(replacement);
            else a.set(Math.floorMod(where / 7, a.size()), replacement);
        }
        new ObjectMapper().writeValue(dir.resolve("state.json").toFile(), tree);
        readOrRefuse(dir, "state.json mutated at " + parent);
    }

    @Property
    void corruptedCheckpointFilesAreReadOrRefusedByName(@ForAll("fileIndex") int file, @ForAll int kind, @ForAll int pos, @ForAll long value) throws IOException {
        Path dir = copyOfCheckpoint();
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        Path target = files.get(Math.floorMod(file, files.size()));
        byte[] bytes = Files.readAllBytes(target);
        int k = Math.floorMod(kind, target.toString().endsWith(".safetensors") ? 5 : 4);
        Files.write(target, bytes.length == 0 ? new byte[]{(byte) value} : corrupt(bytes, k == 2 && !target.toString().endsWith(".safetensors") ? 1 : k, pos, value));
        readOrRefuse(dir, target.getFileName() + " corrupted (kind " + k + ")");
    }

    @Provide Arbitrary<Integer> fileIndex() { return Arbitraries.integers().between(0, 10); }

    /** Findings of this fuzzer, kept as regression tests. */
    @Example
    void fuzzerFindingsAreRefusedByName() throws IOException {
        // 1. a byte that is not UTF-8 in history.jsonl escaped as UncheckedIOException "Input length = 1"
        Path a = copyOfCheckpoint();
        byte[] h = Files.readAllBytes(a.resolve("history.jsonl"));
        h[3] = (byte) 0xC3;
        h[4] = (byte) 0x28;
        Files.write(a.resolve("history.jsonl"), h);
        assertTrue(refusal(a).contains("not valid UTF-8"), refusal(a));
        // 2. a checkpoint whose step does not match its history resumed silently into a longer run
        Path b = copyOfCheckpoint();
        ObjectNode meta = (ObjectNode) new ObjectMapper().readTree(b.resolve("state.json").toFile());
        meta.put("step", 0);
        new ObjectMapper().writeValue(b.resolve("state.json").toFile(), meta);
        assertTrue(refusal(b).contains("step = 0 but the history ends at step 3"), refusal(b));
        // 3. a history stride of 0 divided by zero; 2^31 left records off the stride
        for (long stride : new long[]{0, 1L << 31}) {
            Path c = copyOfCheckpoint();
            ObjectNode m = (ObjectNode) new ObjectMapper().readTree(c.resolve("state.json").toFile());
            ((ObjectNode) m.get("state").get("loop")).put("history_stride", stride);
            new ObjectMapper().writeValue(c.resolve("state.json").toFile(), m);
            assertTrue(refusal(c).contains("history_stride"), refusal(c));
        }
    }

    static String refusal(Path dir) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir)).getMessage();
    }

    @Example
    void theValidFilesUsedForCorruptionAreValid() throws IOException {
        Path f = root.resolve("again.safetensors");
        Files.write(f, validTensors);
        assertEquals(3, SafeTensors.read(f).tensors().size());
        assertEquals(4, Checkpoint.read(validCheckpoint).step());
    }
}
