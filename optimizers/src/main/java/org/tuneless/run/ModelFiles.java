package org.tuneless.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.catalog.Component;
import org.tuneless.nn.Network;
import org.tuneless.tensor.SafeTensors;
import org.tuneless.train.TrainingRun;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Trained models as safetensors files that reload into Tuneless: {@link Network#save} writes the tensors (parameters by
 * layout name, then buffers such as {@code bn1.running_mean}); this class adds the catalog model spec and what its
 * factory needs (input shape, classes, text) to the header's {@code __metadata__}, so {@link #load} rebuilds the
 * architecture and fills it. Metadata keys: {@code tuneless.format} ("model", version 1), {@code tuneless.model} (the
 * model spec as JSON), {@code tuneless.input_shape}, {@code tuneless.classes}, {@code tuneless.text},
 * {@code tuneless.dtype}, {@code tuneless.parameters}, and {@code tuneless.point} (which parameters were saved).
 */
public final class ModelFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FORMAT = "model/1";

    private ModelFiles() {}

    /** Saves {@code network}, built by the catalog {@code model} for data of this input shape and classes, to {@code file}. */
    public static void save(Path file, Network network, Component model, long[] inputShape, int classes, boolean text, String point) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("tuneless.format", FORMAT);
        if (model != null) meta.put("tuneless.model", Catalogs.MODELS.toJson(model).toString());
        meta.put("tuneless.input_shape", Arrays.toString(inputShape));
        meta.put("tuneless.classes", Integer.toString(classes));
        meta.put("tuneless.text", Boolean.toString(text));
        if (point != null) meta.put("tuneless.point", point);
        network.save(file, meta);
    }

    /**
     * Saves the model of a finished run: the network with the run's {@linkplain TrainingRun#evaluationParameters()
     * evaluation parameters} (the live ones unless the optimizer keeps an average, e.g. Schedule-Free's x) and its
     * buffers. The run must have been built from a {@link RunSpec} with a catalog model (the CLI and {@code train { }} do).
     */
    public static void save(Path file, TrainingRun run) {
        Network net = run.network().orElseThrow(() -> new IllegalArgumentException("this run trained a synthetic objective, not a network: nothing to save"));
        RunSpec spec = RunSpec.of(run).orElse(null);
        Object shape = run.config().get(Run.INPUT_SHAPE);
        Object classes = run.config().get(Run.CLASSES);
        Object text = run.config().get(Run.TEXT);
        Network copy = net.copy();
        copy.parameters().assign(run.evaluationParameters());
        Object point = run.config().get("evaluation_point");
        save(file, copy, spec == null ? null : spec.model(), shape instanceof java.util.List<?> s ? s.stream().mapToLong(x -> ((Number) x).longValue()).toArray() : net.inputShape(),
                classes instanceof Integer c ? c : (int) net.outputShape()[net.outputShape().length - 1],
                text instanceof Boolean b && b, point == null ? null : point.toString());
    }

    /**
     * Rebuilds the model saved by {@link #save} (architecture from its spec, in the saved precision) and loads its
     * tensors. A file without a model spec (a custom model) is refused: build that network in code and call
     * {@link Network#load}.
     */
    public static Network load(Path file) {
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        String where = "model file " + file.toAbsolutePath();
        Map<String, String> m = c.metadata();
        String format = m.get("tuneless.format");
        if (format == null) throw new IllegalArgumentException(where + ": __metadata__ has no tuneless.format: not a model saved by Tuneless");
        if (!format.equals(FORMAT)) throw new IllegalArgumentException(where + ": tuneless.format = '" + format + "', this version reads '" + FORMAT + "'");
        String modelJson = m.get("tuneless.model");
        if (modelJson == null) {
            throw new IllegalArgumentException(where + ": no tuneless.model in __metadata__ (a custom model built in code): build the network in code and call network.load(file)");
        }
        Component model;
        try {
            JsonNode node = JSON.readTree(modelJson);
            model = Catalogs.MODELS.fromJson(node, "tuneless.model");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": tuneless.model is not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        long[] shape = longs(where, "tuneless.input_shape", m.get("tuneless.input_shape"));
        int classes = (int) integer(where, "tuneless.classes", m.get("tuneless.classes"));
        boolean text = Boolean.parseBoolean(m.get("tuneless.text"));
        String dtype = m.getOrDefault("tuneless.dtype", "float32");
        if (!RunSpec.DTYPES.contains(dtype)) throw new IllegalArgumentException(where + ": tuneless.dtype = '" + dtype + "'; valid: " + RunSpec.DTYPES);
        Network net = Catalogs.MODELS.create(model).build(shape, classes, text).build(dtype.equals("float64") ? DataType.DOUBLE : DataType.FLOAT, 0);
        net.assignTensors(c.tensors(), where);
        return net;
    }

    private static long integer(String where, String key, String v) {
        if (v == null) throw new IllegalArgumentException(where + ": " + key + " is missing from __metadata__");
        try {
            long x = Long.parseLong(v.trim());
            if (x <= 0) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + key + " = '" + v + "' is not a positive integer");
        }
    }

    private static long[] longs(String where, String key, String v) {
        if (v == null) throw new IllegalArgumentException(where + ": " + key + " is missing from __metadata__");
        String s = v.trim();
        if (!s.startsWith("[") || !s.endsWith("]") || s.length() == 2) throw new IllegalArgumentException(where + ": " + key + " = '" + v + "' is not a shape like [784]");
        String[] parts = s.substring(1, s.length() - 1).split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = integer(where, key, parts[i]);
        return out;
    }
}
