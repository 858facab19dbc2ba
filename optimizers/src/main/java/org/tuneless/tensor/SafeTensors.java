package org.tuneless.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the safetensors format (the Hugging Face format PyTorch, NumPy and JAX read): an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON {@code {"NAME": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 * "__metadata__": {"key": "text"}}}, then the raw little-endian, row-major tensor data, offsets relative to the end of the
 * header. Loading never executes code.
 *
 * <p>Written files are byte-deterministic: header keys sorted, tensors laid out in name order, the header padded with
 * spaces to a multiple of 8 bytes. The reader validates the whole header before allocating any tensor (header length
 * against the file size, known dtypes, shapes, offsets inside the data and covering it contiguously without overlap,
 * shape × dtype size = byte length) and refuses a bad file with a message naming the file, the tensor and the field.
 * Tensors of types F64, F32, I64 and I32 load into ND4J; other safetensors dtypes are recognized and refused by name.
 */
public final class SafeTensors {

    /** Key of the free-form string metadata in the header. */
    public static final String METADATA = "__metadata__";
    /** The largest header the reader accepts (the format's reference implementation uses the same bound). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Element sizes of every safetensors dtype, to recognize valid-but-unsupported ones. */
    private static final Map<String, Integer> DTYPE_SIZES = new LinkedHashMap<>();

    static {
        DTYPE_SIZES.put("F64", 8);
        DTYPE_SIZES.put("F32", 4);
        DTYPE_SIZES.put("I64", 8);
        DTYPE_SIZES.put("I32", 4);
        DTYPE_SIZES.put("F16", 2);
        DTYPE_SIZES.put("BF16", 2);
        DTYPE_SIZES.put("I16", 2);
        DTYPE_SIZES.put("U16", 2);
        DTYPE_SIZES.put("U32", 4);
        DTYPE_SIZES.put("U64", 8);
        DTYPE_SIZES.put("I8", 1);
        DTYPE_SIZES.put("U8", 1);
        DTYPE_SIZES.put("BOOL", 1);
        DTYPE_SIZES.put("F8_E4M3", 1);
        DTYPE_SIZES.put("F8_E5M2", 1);
    }

    private SafeTensors() {}

    /** The tensors of a file (in file order) and its metadata. */
    public record Contents(Map<String, INDArray> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /** Tensor {@code name}, or an error naming the file's tensors. */
        public INDArray tensor(String name) {
            INDArray t = tensors.get(name);
            if (t == null) throw new IllegalArgumentException("no tensor '" + name + "'; the file has " + tensors.keySet());
            return t;
        }
    }

    /** One tensor's entry in a header. */
    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    // ---- writing -------------------------------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} (float64, float32, int64 or int32; any shape, views allowed) and {@code metadata} to
     * {@code file}, replacing it. The write goes to a temporary file in the same directory that is then renamed, so
     * {@code file} is either the old or the complete new file.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        Map<String, INDArray> sorted = new TreeMap<>(tensors);
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            new TreeMap<>(metadata).forEach(m::put);
        }
        long offset = 0;
        List<byte[]> blobs = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals(METADATA)) throw new IllegalArgumentException("safetensors: invalid tensor name '" + e.getKey() + "'");
            byte[] data = bytes(e.getKey(), e.getValue());
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtypeName(e.getKey(), e.getValue().dataType()));
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + data.length);
            offset += data.length;
            blobs.add(data);
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[padded];
        java.util.Arrays.fill(head, (byte) ' ');
        System.arraycopy(json, 0, head, 0, json.length);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                out.write(head);
                for (byte[] b : blobs) out.write(b);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String dtypeName(String name, DataType type) {
        return switch (type) {
            case DOUBLE -> "F64";
            case FLOAT -> "F32";
            case LONG -> "I64";
            case INT -> "I32";
            default -> throw new IllegalArgumentException("safetensors: tensor '" + name + "' is " + type + "; Tuneless writes DOUBLE, FLOAT, LONG or INT");
        };
    }

    /** The tensor's values, row-major, little-endian. */
    private static byte[] bytes(String name, INDArray a) {
        long n = a.length();
        DataType type = a.dataType();
        int size = switch (type) {
            case DOUBLE, LONG -> 8;
            case FLOAT, INT -> 4;
            default -> throw new IllegalArgumentException("safetensors: tensor '" + name + "' is " + type + "; Tuneless writes DOUBLE, FLOAT, LONG or INT");
        };
        if (n * size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("safetensors: tensor '" + name + "' has " + n + " values, more than this writer handles (2 GiB per tensor)");
        ByteBuffer buf = ByteBuffer.allocate((int) (n * size)).order(ByteOrder.LITTLE_ENDIAN);
        if (n == 0) return buf.array();
        INDArray flat;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            flat = a.dup('c').reshape(n);
        }
        switch (type) {
            case DOUBLE -> buf.asDoubleBuffer().put(flat.toDoubleVector());
            case FLOAT -> buf.asFloatBuffer().put(flat.toFloatVector());
            case LONG -> buf.asLongBuffer().put(flat.toLongVector());
            default -> buf.asIntBuffer().put(flat.toIntVector());
        }
        return buf.array();
    }

    // ---- reading -------------------------------------------------------------------------------------------------------

    /** Reads every tensor and the metadata of {@code file}; see the class comment for what is validated. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            String where = "safetensors file " + file.toAbsolutePath();
            if (size < 8) throw new IllegalArgumentException(where + ": " + size + " bytes, too short for the 8-byte header length (truncated or not a safetensors file)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > size - 8) {
                throw new IllegalArgumentException(where + ": header length " + Long.toUnsignedString(n) + " does not fit the file of " + size
                        + " bytes (truncated or not a safetensors file)");
            }
            if (n > MAX_HEADER_BYTES) throw new IllegalArgumentException(where + ": header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            ByteBuffer headBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) throw new IllegalArgumentException(where + ": header is not a JSON object");
            long dataSize = size - 8 - n;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals(METADATA)) {
                    metadata.putAll(metadata(where, f.getValue()));
                } else {
                    entries.add(entry(where, f.getKey(), f.getValue(), dataSize));
                }
            }
            checkLayout(where, entries, dataSize);
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (Entry e : entries) tensors.put(e.name, load(ch, e, 8 + n));
            return new Contents(tensors, metadata);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("safetensors file " + file.toAbsolutePath() + " does not exist");
        }
    }

    private static Map<String, String> metadata(String where, JsonNode m) {
        if (!m.isObject()) throw new IllegalArgumentException(where + ": " + METADATA + " is not an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) throw new IllegalArgumentException(where + ": " + METADATA + "." + f.getKey() + " is not a string");
            out.put(f.getKey(), f.getValue().asText());
        }
        return out;
    }

    private static Entry entry(String where, String name, JsonNode t, long dataSize) {
        String at = where + ": tensor '" + name + "'";
        if (!t.isObject()) throw new IllegalArgumentException(at + " is not an object {dtype, shape, data_offsets}");
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) throw new IllegalArgumentException(at + ": unknown field '" + k + "'");
        }
        JsonNode dt = t.get("dtype");
        if (dt == null || !dt.isTextual()) throw new IllegalArgumentException(at + ": field 'dtype' is missing or not a string");
        Integer elem = DTYPE_SIZES.get(dt.asText());
        if (elem == null) throw new IllegalArgumentException(at + ": unknown dtype '" + dt.asText() + "'; safetensors dtypes are " + DTYPE_SIZES.keySet());
        JsonNode sh = t.get("shape");
        if (sh == null || !sh.isArray()) throw new IllegalArgumentException(at + ": field 'shape' is missing or not a list");
        long[] shape = new long[sh.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) throw new IllegalArgumentException(at + ": shape " + sh + " has a bad dimension " + d);
            shape[i] = d.longValue();
            if (shape[i] != 0 && count > dataSize / shape[i]) throw new IllegalArgumentException(at + ": shape " + sh + " holds more values than the file has bytes");
            count *= shape[i];
        }
        JsonNode off = t.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new IllegalArgumentException(at + ": field 'data_offsets' must be [begin, end], got " + off);
        }
        long begin = off.get(0).longValue(), end = off.get(1).longValue();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new IllegalArgumentException(at + ": data_offsets [" + begin + ", " + end + "] lie outside the " + dataSize
                    + " data bytes of the file (truncated?)");
        }
        if (count > Long.MAX_VALUE / elem || count * elem != end - begin) {
            throw new IllegalArgumentException(at + ": shape " + sh + " of " + dt.asText() + " needs " + count + " × " + elem + " bytes but data_offsets ["
                    + begin + ", " + end + "] hold " + (end - begin));
        }
        if (!dt.asText().equals("F64") && !dt.asText().equals("F32") && !dt.asText().equals("I64") && !dt.asText().equals("I32")) {
            throw new IllegalArgumentException(at + ": dtype " + dt.asText() + " is valid safetensors but Tuneless reads only F64, F32, I64 and I32");
        }
        return new Entry(name, dt.asText(), shape, begin, end);
    }

    /** The tensors must tile the data area exactly: sorted by offset, each begins where the previous ended. */
    private static void checkLayout(String where, List<Entry> entries, long dataSize) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin != expected) {
                throw new IllegalArgumentException(where + ": tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end + "] "
                        + (e.begin < expected ? "overlap the previous tensor (ending at " + expected + ")" : "leave a gap after byte " + expected));
            }
            expected = e.end;
        }
        if (expected != dataSize) {
            throw new IllegalArgumentException(where + ": the tensors cover " + expected + " data bytes but the file has " + dataSize + " after the header");
        }
    }

    private static INDArray load(FileChannel ch, Entry e, long dataStart) throws IOException {
        long bytes = e.end - e.begin;
        if (bytes > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("safetensors: tensor '" + e.name + "' has " + bytes + " bytes, more than this reader handles (2 GiB per tensor)");
        ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, buf, dataStart + e.begin);
        buf.flip();
        INDArray flat;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            flat = switch (e.dtype) {
                case "F64" -> { double[] v = new double[(int) (bytes / 8)]; buf.asDoubleBuffer().get(v); yield Nd4j.createFromArray(v); }
                case "F32" -> { float[] v = new float[(int) (bytes / 4)]; buf.asFloatBuffer().get(v); yield Nd4j.createFromArray(v); }
                case "I64" -> { long[] v = new long[(int) (bytes / 8)]; buf.asLongBuffer().get(v); yield Nd4j.createFromArray(v); }
                default -> { int[] v = new int[(int) (bytes / 4)]; buf.asIntBuffer().get(v); yield Nd4j.createFromArray(v); }
            };
            if (e.shape.length == 0) return flat.length() == 1 ? flat.reshape() : flat;
            return flat.reshape('c', e.shape);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += r;
        }
    }
}
