package org.tuneless.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The safetensors reader and writer: exact round trip, byte-determinism, the documented layout, and refused bad files. */
class SafeTensorsTest {

    @TempDir Path dir;

    static Map<String, INDArray> sample() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("z.w", Nd4j.createFromArray(new double[][]{{1.5, -2.25, Math.PI}, {Double.MIN_VALUE, -0.0, 1e300}}));
        m.put("a.b", Nd4j.createFromArray(new float[]{0.1f, Float.NaN, -3f}));
        m.put("n.count", Nd4j.createFromArray(new long[]{Long.MIN_VALUE, 7}));
        m.put("i.ids", Nd4j.createFromArray(new int[][]{{1, 2}, {3, -4}}));
        return m;
    }

    @Test void roundTripIsExactAndKeepsTypesShapesAndMetadata() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, sample(), Map.of("k", "v", "a", "b"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("k", "v", "a", "b"), c.metadata());
        for (Map.Entry<String, INDArray> e : sample().entrySet()) {
            INDArray got = c.tensor(e.getKey());
            assertEquals(e.getValue().dataType(), got.dataType(), e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            if (got.dataType().isFPType()) {
                double[] want = e.getValue().reshape(e.getValue().length()).toDoubleVector(), have = got.reshape(got.length()).toDoubleVector();
                for (int i = 0; i < want.length; i++) assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(have[i]), e.getKey() + "[" + i + "]");
            } else {
                assertArrayEquals(e.getValue().reshape(e.getValue().length()).toLongVector(), got.reshape(got.length()).toLongVector());
            }
        }
    }

    @Test void filesAreByteDeterministicAndFollowTheLayout() throws IOException {
        Path f1 = dir.resolve("1.safetensors"), f2 = dir.resolve("2.safetensors");
        SafeTensors.write(f1, sample(), Map.of("x", "1"));
        Map<String, INDArray> reversed = new LinkedHashMap<>();
        sample().entrySet().stream().sorted(Map.Entry.<String, INDArray>comparingByKey().reversed()).forEach(e -> reversed.put(e.getKey(), e.getValue()));
        SafeTensors.write(f2, reversed, Map.of("x", "1"));
        byte[] b = Files.readAllBytes(f1);
        assertArrayEquals(b, Files.readAllBytes(f2), "same tensors in another map order give the same bytes");
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8).trim();
        assertTrue(header.startsWith("{\"__metadata__\":{\"x\":\"1\"},\"a.b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}"), header);
        // a.b's first float, little-endian, right after the header
        assertEquals(0.1f, ByteBuffer.wrap(b, 8 + (int) n, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        // a view (a column of a matrix) is written as its own values
        Path f3 = dir.resolve("3.safetensors");
        INDArray m = Nd4j.createFromArray(new double[][]{{1, 2}, {3, 4}});
        SafeTensors.write(f3, Map.of("col", m.getColumn(1)), Map.of());
        assertArrayEquals(new double[]{2, 4}, SafeTensors.read(f3).tensor("col").toDoubleVector());
    }

    /** A file with header {@code json} and {@code data} bytes. */
    Path raw(String json, int dataBytes, long headerLength) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(headerLength < 0 ? h.length : headerLength).put(h);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, buf.array());
        return f;
    }

    String refused(Path f) {
        return assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(f)).getMessage();
    }

    @Test void badFilesAreRefusedWithTheFileAndTheField() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, sample(), Map.of());
        byte[] all = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(all, all.length - 5));
        String m = refused(truncated);
        assertTrue(m.contains(truncated.toAbsolutePath().toString()) && m.contains("truncated?"), m);
        Files.write(truncated, Arrays.copyOf(all, 5));
        assertTrue(refused(truncated).contains("too short"), refused(truncated));

        assertTrue(refused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, 1L << 40)).contains("header length"));
        assertTrue(refused(raw("{not json", 0, -1)).contains("not valid JSON"));
        assertTrue(refused(raw("[1, 2]", 0, -1)).contains("not a JSON object"));
        m = refused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, -1));
        assertTrue(m.contains("tensor 'a'") && m.contains("shape [3]") && m.contains("hold 8"), m);
        m = refused(raw("{\"a\": {\"dtype\": \"Q7\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, -1));
        assertTrue(m.contains("unknown dtype 'Q7'"), m);
        m = refused(raw("{\"a\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4, -1));
        assertTrue(m.contains("F16 is valid safetensors but Tuneless reads only"), m);
        m = refused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, -1));
        assertTrue(m.contains("overlap"), m);
        m = refused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 800]}}", 8, -1));
        assertTrue(m.contains("outside"), m);
        m = refused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [4000000000, 4000000000], \"data_offsets\": [0, 8]}}", 8, -1));
        assertTrue(m.contains("more values than the file has bytes"), m);
        m = refused(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8, -1));
        assertTrue(m.contains("data_offsets"), m);
        m = refused(raw("{\"__metadata__\": {\"k\": 1}}", 0, -1));
        assertTrue(m.contains("__metadata__.k is not a string"), m);
        assertTrue(refused(dir.resolve("missing.safetensors")).contains("does not exist"));
    }
}
