package org.tuneless.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.tuneless.tensor.SafeTensors;
import org.tuneless.tensor.Snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A training checkpoint: everything a run needs to continue bit for bit after {@link #step()} steps, as a directory
 * {@code step-NNNNNNNN/} of plain files (no Java serialization):
 * <ul>
 *   <li>{@code model.safetensors} — parameters by name and buffers (batch-norm statistics), as {@link org.tuneless.nn.Network#save};</li>
 *   <li>{@code optimizer.safetensors} — every optimizer state tensor keyed {@code slot/parameter}, a child's prefixed by its
 *       name ({@code m/dense0.W}, {@code base/v/dense0.b});</li>
 *   <li>{@code state.safetensors} — other tensors: the batch order, the curvature tracker's warm-start vectors, the inputs
 *       kept for re-estimating batch-norm statistics;</li>
 *   <li>{@code state.json} — format, step, elapsed seconds, the run specification, the optimizer's name and scalars
 *       (exact; NaN/Infinity as text), the data stream's position and generator state, plug-in and loop values, evaluations;</li>
 *   <li>{@code history.jsonl} — the per-step records so far, one JSON object a line.</li>
 * </ul>
 * {@link #write} builds the directory under a temporary name and renames it when complete, so a crash leaves either the
 * previous checkpoints or the new one, never half of one; {@link #newest} skips anything incomplete or corrupt.
 */
public final class Checkpoint {

    public static final String FORMAT = "checkpoint/1";
    static final String PREFIX = "step-";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSONL = new ObjectMapper();

    private final Path dir;
    private final long step;
    private final double seconds;
    private final JsonNode spec;
    private final String optimizer;
    private final Map<String, INDArray> model;
    private final Map<String, INDArray> optimizerTensors;
    private final Map<String, Double> optimizerScalars;
    private final Snapshot state;
    private final List<StepRecord> history;
    private final List<EvaluationRecord> evaluations;

    private Checkpoint(Path dir, long step, double seconds, JsonNode spec, String optimizer, Map<String, INDArray> model,
                       Map<String, INDArray> optimizerTensors, Map<String, Double> optimizerScalars, Snapshot state,
                       List<StepRecord> history, List<EvaluationRecord> evaluations) {
        this.dir = dir;
        this.step = step;
        this.seconds = seconds;
        this.spec = spec;
        this.optimizer = optimizer;
        this.model = model;
        this.optimizerTensors = optimizerTensors;
        this.optimizerScalars = optimizerScalars;
        this.state = state;
        this.history = history;
        this.evaluations = evaluations;
    }

    public Path directory() { return dir; }

    /** Steps completed: the resumed run starts with step {@code step()}. */
    public long step() { return step; }

    public double seconds() { return seconds; }

    /** The run specification as JSON (a {@code RunSpec}), or null for a run built by hand. */
    public JsonNode spec() { return spec; }

    public String optimizerName() { return optimizer; }

    public Map<String, INDArray> modelTensors() { return model; }

    public Map<String, INDArray> optimizerTensors() { return optimizerTensors; }

    public Map<String, Double> optimizerScalars() { return optimizerScalars; }

    /** Data stream ({@code data}), plug-ins ({@code plugins/i}) and loop ({@code loop}) state. */
    public Snapshot state() { return state; }

    public List<StepRecord> history() { return history; }

    public List<EvaluationRecord> evaluations() { return evaluations; }

    @Override public String toString() { return "checkpoint " + dir + " (step " + step + ")"; }

    // ---- writing ---------------------------------------------------------------------------------------------------------

    static String name(long step) { return String.format("%s%08d", PREFIX, step); }

    /**
     * Writes a checkpoint into {@code root/step-NNNNNNNN} (atomically: a temporary directory renamed when complete), then
     * deletes all but the newest {@code keep} checkpoints of {@code root} and any leftover temporary directory.
     */
    static Path write(Path root, long step, double seconds, JsonNode spec, String optimizer, Map<String, INDArray> model,
                      Map<String, INDArray> optimizerTensors, Map<String, Double> scalars, Snapshot state,
                      List<StepRecord> history, List<EvaluationRecord> evaluations, int keep) {
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, ".tmp-" + name(step) + "-");
            SafeTensors.write(tmp.resolve("model.safetensors"), model, Map.of("tuneless.format", FORMAT));
            SafeTensors.write(tmp.resolve("optimizer.safetensors"), optimizerTensors, Map.of("tuneless.format", FORMAT, "tuneless.optimizer", optimizer));
            SafeTensors.write(tmp.resolve("state.safetensors"), state.tensors(), Map.of("tuneless.format", FORMAT));
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve("history.jsonl"))) {
                for (StepRecord r : history) {
                    w.write(JSONL.writeValueAsString(recordJson(r)));
                    w.newLine();
                }
            }
            ObjectNode meta = JsonNodeFactory.instance.objectNode();
            meta.put("format", FORMAT);
            meta.put("step", step);
            meta.put("seconds", seconds);
            meta.put("history_rows", history.size());
            if (spec == null) meta.putNull("spec");
            else meta.set("spec", spec);
            ObjectNode opt = meta.putObject("optimizer");
            opt.put("name", optimizer);
            Snapshot sc = Snapshot.of(opt.putObject("scalars"), Map.of(), "");
            scalars.forEach(sc::put);
            meta.set("state", state.values());
            ArrayNode evs = meta.putArray("evaluations");
            for (EvaluationRecord e : evaluations) {
                ObjectNode o = evs.addObject();
                Snapshot s = Snapshot.of(o, Map.of(), "");
                s.put("step", e.step()).put("split", e.split()).put("loss", e.loss()).put("accuracy", e.accuracy()).put("point", e.point());
            }
            JSON.writeValue(tmp.resolve("state.json").toFile(), meta);
            for (String f : List.of("history.jsonl", "state.json")) {
                try (FileChannel ch = FileChannel.open(tmp.resolve(f), StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            Path target = root.resolve(name(step));
            Path old = null;
            if (Files.exists(target)) {
                old = root.resolve(".old-" + name(step) + "-" + System.nanoTime());
                Files.move(target, old);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            if (old != null) deleteTree(old);
            prune(root, keep);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint to " + root.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** Keeps the newest {@code keep} checkpoints; removes temporary leftovers of interrupted writes. */
    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - Math.max(1, keep); i++) deleteTree(all.get(i));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, p -> p.getFileName().toString().startsWith(".tmp-") || p.getFileName().toString().startsWith(".old-"))) {
            for (Path p : ds) deleteTree(p);
        }
    }

    /** The {@code step-N} directories of {@code root}, oldest first. */
    static List<Path> list(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, p -> p.getFileName().toString().matches(PREFIX + "\\d+") && Files.isDirectory(p))) {
            for (Path p : ds) out.add(p);
        }
        out.sort(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(PREFIX.length()))));
        return out;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Iterator<Path> it = s.sorted(Comparator.reverseOrder()).iterator(); it.hasNext(); ) Files.deleteIfExists(it.next());
        }
    }

    static ObjectNode recordJson(StepRecord r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        Snapshot s = Snapshot.of(o, Map.of(), "");
        s.put("step", r.step()).put("epoch", r.epoch()).put("loss", r.loss()).put("lr", r.learningRate()).put("grad_norm", r.gradientNorm())
                .put("update_norm", r.updateNorm()).put("time_s", r.seconds());
        Snapshot m = s.child("metrics");
        r.metrics().forEach(m::put);
        return o;
    }

    static StepRecord record(JsonNode o, String source) {
        Snapshot s = Snapshot.of(o, Map.of(), source);
        Map<String, Double> metrics = new LinkedHashMap<>();
        Snapshot m = s.child("metrics");
        for (Iterator<String> it = m.values().fieldNames(); it.hasNext(); ) {
            String k = it.next();
            metrics.put(k, m.getDouble(k));
        }
        return new StepRecord(s.getLong("step"), s.getLong("epoch"), s.getDouble("loss"), s.getDouble("lr"), s.getDouble("grad_norm"),
                s.getDouble("update_norm"), s.getDouble("time_s"), metrics);
    }

    // ---- reading ---------------------------------------------------------------------------------------------------------

    /**
     * The newest complete, readable checkpoint under {@code dir}: a run output directory (its {@code checkpoints/}), a
     * directory of checkpoints, or one checkpoint. Incomplete or corrupt ones are skipped (the reasons are in the error
     * when none is valid).
     */
    public static Checkpoint newest(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("cannot resume from " + dir.toAbsolutePath() + ": not a directory");
        if (Files.exists(dir.resolve("state.json"))) return read(dir);
        Path root = Files.isDirectory(dir.resolve("checkpoints")) ? dir.resolve("checkpoints") : dir;
        List<Path> all;
        try {
            all = list(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (all.isEmpty()) throw new IllegalArgumentException("no checkpoint in " + root.toAbsolutePath() + " (expected step-NNNNNNNN directories; train with --checkpoint-every N)");
        List<String> reasons = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                return read(all.get(i));
            } catch (RuntimeException e) {
                reasons.add(all.get(i).getFileName() + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("no valid checkpoint in " + root.toAbsolutePath() + ": " + String.join("; ", reasons));
    }

    /** Reads and validates one checkpoint directory; a missing or corrupt file is refused naming the file and the field. */
    public static Checkpoint read(Path dir) {
        String where = "checkpoint " + dir.toAbsolutePath();
        try {
            Path metaFile = dir.resolve("state.json");
            if (!Files.exists(metaFile)) throw new IllegalArgumentException(where + ": state.json is missing (incomplete checkpoint)");
            JsonNode meta;
            try {
                meta = JSON.readTree(metaFile.toFile());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + "/state.json is not valid JSON: " + e.getOriginalMessage());
            }
            Snapshot m = Snapshot.of(meta, Map.of(), where + "/state.json");
            if (!FORMAT.equals(m.getString("format"))) throw m.mismatch("format", "'" + m.getString("format") + "', this version reads '" + FORMAT + "'");
            long step = m.getLong("step");
            double seconds = m.getDouble("seconds");
            JsonNode spec = meta.get("spec");
            if (spec != null && spec.isNull()) spec = null;
            Snapshot opt = m.child("optimizer");
            String optimizer = opt.getString("name");
            Map<String, Double> scalars = new LinkedHashMap<>();
            Snapshot sc = opt.child("scalars");
            for (Iterator<String> it = sc.values().fieldNames(); it.hasNext(); ) {
                String k = it.next();
                scalars.put(k, sc.getDouble(k));
            }
            List<EvaluationRecord> evaluations = new ArrayList<>();
            JsonNode evs = meta.get("evaluations");
            if (evs == null || !evs.isArray()) throw m.mismatch("evaluations", "missing or not a list");
            for (JsonNode e : evs) {
                Snapshot s = Snapshot.of(e, Map.of(), where + "/state.json evaluations");
                evaluations.add(new EvaluationRecord(s.getLong("step"), s.getString("split"), s.getDouble("loss"), s.getDouble("accuracy"), s.getString("point")));
            }
            Map<String, INDArray> model = safetensors(dir.resolve("model.safetensors"), where);
            Map<String, INDArray> optTensors = safetensors(dir.resolve("optimizer.safetensors"), where);
            Map<String, INDArray> stateTensors = safetensors(dir.resolve("state.safetensors"), where);
            JsonNode stateValues = meta.get("state");
            Snapshot state = Snapshot.of(stateValues, stateTensors, where);
            long rows = m.getLong("history_rows");
            List<StepRecord> history = new ArrayList<>();
            Path hist = dir.resolve("history.jsonl");
            if (!Files.exists(hist)) throw new IllegalArgumentException(where + ": history.jsonl is missing");
            List<String> lines = completeLines(hist);
            if (lines.size() < rows) throw new IllegalArgumentException(where + "/history.jsonl has " + lines.size() + " complete rows, state.json says " + rows);
            for (int i = 0; i < rows; i++) {
                try {
                    history.add(record(JSONL.readTree(lines.get(i)), where + "/history.jsonl row " + (i + 1)));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(where + "/history.jsonl row " + (i + 1) + " is not valid JSON: " + e.getOriginalMessage());
                }
            }
            // fuzzer finding: a changed step resumed a run whose history did not end where the checkpoint says
            for (int i = 1; i < history.size(); i++) {
                if (history.get(i).step() <= history.get(i - 1).step()) {
                    throw new IllegalArgumentException(where + "/history.jsonl row " + (i + 1) + ": step " + history.get(i).step() + " does not follow step " + history.get(i - 1).step());
                }
            }
            long lastRecorded = history.isEmpty() ? -1 : history.get(history.size() - 1).step();
            if (step < 0 || (!history.isEmpty() && lastRecorded != step - 1)) {
                throw new IllegalArgumentException(where + "/state.json: step = " + step + " but the history ends at step " + lastRecorded + " (corrupt checkpoint)");
            }
            Snapshot loop = state.has("loop") ? state.child("loop") : null;
            if (loop != null && loop.has("history_stride")) {
                long stride = loop.getLong("history_stride"), added = loop.getLong("history_added");
                if (stride < 1 || Long.bitCount(stride) != 1) throw loop.mismatch("history_stride", "history stride " + stride + " is not a power of two ≥ 1");
                if (added < history.size() || added > step) throw loop.mismatch("history_added", "history_added = " + added + " does not fit " + history.size() + " records and step " + step);
                for (int i = 0; i < history.size() - 1; i++) {
                    if (history.get(i).step() % stride != 0) throw loop.mismatch("history_stride", "history row " + (i + 1) + " (step " + history.get(i).step() + ") is not on the stride " + stride);
                }
            }
            return new Checkpoint(dir, step, seconds, spec, optimizer, model, optTensors, scalars, state, history, evaluations);
        } catch (java.nio.charset.CharacterCodingException e) {
            // fuzzer finding: a corrupt byte in history.jsonl or state.json escaped as "Input length = 1"
            throw new IllegalArgumentException(where + ": a file is not valid UTF-8 text (corrupt): " + e);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> safetensors(Path f, String where) throws IOException {
        if (!Files.exists(f)) throw new IllegalArgumentException(where + ": " + f.getFileName() + " is missing");
        return SafeTensors.read(f).tensors();
    }

    /**
     * The complete lines of a text file written line by line: a last line without its newline (a write cut short by a
     * crash) is ignored.
     */
    public static List<String> completeLines(Path file) throws IOException {
        String text = Files.readString(file);
        int end = text.lastIndexOf('\n');
        if (end < 0) return List.of();
        return text.substring(0, end).lines().toList();
    }

    /** The checkpoints of a run directory (or a checkpoints directory), oldest first. */
    public static List<Path> list(Path dir, boolean runDirectory) {
        try {
            return list(runDirectory ? dir.resolve("checkpoints") : dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Path> latest(Path root) throws IOException {
        List<Path> all = list(root);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }
}
