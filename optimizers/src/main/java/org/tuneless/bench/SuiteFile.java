package org.tuneless.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.tuneless.run.RunSpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A benchmark suite file (JSON, versioned): workloads, each with a partial run spec, a metric and, per budget level
 * ({@code smoke}, {@code standard}, {@code full}, or any name), spec overrides (steps, evaluation, data) and the
 * target. The format is documented in benchmarks/tuning-free/README.md; the built-in file is the resource
 * {@code org/tuneless/bench/suite-v1.json}, written by {@link Targets}. Every workload of every level is validated when
 * the file is read, so a bad file fails before any training with the path of the bad field.
 */
public record SuiteFile(String source, ObjectNode document) {

    public static final String FORMAT = "tuneless-bench-suite";
    public static final int VERSION = 1;
    public static final String RESOURCE = "/org/tuneless/bench/suite-v1.json";
    static final List<String> TOP_FIELDS = List.of("format", "version", "description", "targets", "workloads");
    static final List<String> WORKLOAD_FIELDS = List.of("name", "description", "metric", "spec", "levels");
    static final List<String> LEVEL_FIELDS = List.of("spec", "target", "targetSetBy");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SuiteFile {
        validate(source, document);
    }

    /** The built-in suite. */
    public static SuiteFile builtIn() {
        try (InputStream in = SuiteFile.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the built-in suite " + RESOURCE + " is missing from the jar");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in suite v" + VERSION);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SuiteFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read suite file " + file + ": " + e.getMessage()
                    + "; pass smoke, standard, full or the path of a suite JSON file", e);
        }
        return parse(text, file.toString());
    }

    public static SuiteFile parse(String text, String source) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException(source + ": a suite file must be a JSON object with fields " + TOP_FIELDS);
        return new SuiteFile(source, (ObjectNode) n);
    }

    /** The level names in the order the first workload lists them (then the others'). */
    public List<String> levels() {
        List<String> out = new ArrayList<>();
        for (JsonNode w : document.get("workloads")) {
            for (Iterator<String> it = w.get("levels").fieldNames(); it.hasNext(); ) {
                String l = it.next();
                if (!out.contains(l)) out.add(l);
            }
        }
        return out;
    }

    /** The workloads of {@code level} (those that list it). */
    public Suite level(String level) {
        if (!levels().contains(level)) {
            throw new IllegalArgumentException(source + ": no level '" + level + "'; its levels: " + String.join(", ", levels()));
        }
        List<Workload> out = new ArrayList<>();
        for (JsonNode w : document.get("workloads")) {
            if (w.get("levels").has(level)) out.add(workload(source, w, level));
        }
        return new Suite(source, level, out);
    }

    /** This file with the target of {@code workload} at {@code level} set, and a note of how it was set. */
    public SuiteFile withTarget(String level, String workload, double target, ObjectNode setBy) {
        ObjectNode copy = document.deepCopy();
        for (JsonNode w : copy.get("workloads")) {
            if (w.get("name").asText().equals(workload)) {
                ObjectNode l = (ObjectNode) w.get("levels").get(level);
                if (l == null) throw new IllegalArgumentException("workload " + workload + " has no level " + level);
                l.put("target", target);
                l.set("targetSetBy", setBy);
                return new SuiteFile(source, copy);
            }
        }
        throw new IllegalArgumentException("no workload " + workload + " in " + source);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(document) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- validation ---------------------------------------------------------------------------------------------

    private static void validate(String source, ObjectNode d) {
        only(d, source, TOP_FIELDS);
        JsonNode f = d.get("format");
        if (f == null || !f.asText().equals(FORMAT)) throw new IllegalArgumentException(source + ": format = " + f + "; a suite file has \"format\": \"" + FORMAT + "\"");
        JsonNode v = d.get("version");
        if (v == null || !v.isInt() || v.intValue() != VERSION) {
            throw new IllegalArgumentException(source + ": version = " + v + "; this Tuneless reads suite files of version " + VERSION);
        }
        JsonNode ws = d.get("workloads");
        if (ws == null || !ws.isArray() || ws.isEmpty()) throw new IllegalArgumentException(source + ": workloads must be a non-empty list");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ws.size(); i++) {
            JsonNode w = ws.get(i);
            String path = source + ": workloads[" + i + "]";
            if (!w.isObject()) throw new IllegalArgumentException(path + " is not an object");
            only(w, path, WORKLOAD_FIELDS);
            if (w.get("name") == null || !w.get("name").isTextual()) throw new IllegalArgumentException(path + ".name is missing");
            String name = w.get("name").asText();
            if (names.contains(name)) throw new IllegalArgumentException(path + ": workload name '" + name + "' appears twice");
            names.add(name);
            JsonNode levels = w.get("levels");
            if (levels == null || !levels.isObject() || levels.isEmpty()) throw new IllegalArgumentException(path + " (" + name + "): levels must be an object {\"smoke\": {…}, …}");
            for (Iterator<String> it = levels.fieldNames(); it.hasNext(); ) workload(source, w, it.next());
        }
    }

    private static void only(JsonNode n, String path, List<String> fields) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!fields.contains(k)) throw new IllegalArgumentException(path + "." + k + ": unknown field; valid: " + String.join(", ", fields));
        }
    }

    static Workload workload(String source, JsonNode w, String level) {
        String name = w.get("name").asText();
        String path = source + ": workload " + name + ", level " + level;
        JsonNode l = w.get("levels").get(level);
        if (!l.isObject()) throw new IllegalArgumentException(path + ": not an object");
        only(l, path, LEVEL_FIELDS);
        JsonNode base = w.get("spec");
        if (base == null || !base.isObject()) throw new IllegalArgumentException(source + ": workload " + name + ": spec must be a run spec object");
        ObjectNode merged = base.deepCopy();
        if (l.has("spec")) {
            if (!l.get("spec").isObject()) throw new IllegalArgumentException(path + ".spec must be an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = l.get("spec").fields(); it.hasNext(); ) {
                var e = it.next();
                merged.set(e.getKey(), e.getValue());
            }
        }
        if (merged.has("optimizer")) throw new IllegalArgumentException(path + ": a workload's spec has no optimizer (each contender brings its own)");
        if (merged.has("seed")) throw new IllegalArgumentException(path + ": a workload's spec has no seed (the benchmark's seeds are used)");
        RunSpec spec;
        try {
            spec = RunSpec.fromJson(merged);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": spec." + e.getMessage(), e);
        }
        JsonNode m = w.get("metric");
        if (m == null || !m.isTextual()) throw new IllegalArgumentException(source + ": workload " + name + ": metric is missing (\"test accuracy\" or \"test loss\")");
        Metric metric;
        try {
            metric = Metric.parse(m.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": workload " + name + ": " + e.getMessage(), e);
        }
        JsonNode t = l.get("target");
        if (t != null && !t.isNull() && !t.isNumber()) throw new IllegalArgumentException(path + ".target = " + t + " is not a number");
        Double target = t == null || t.isNull() ? null : t.doubleValue();
        String description = w.has("description") ? w.get("description").asText() : "";
        try {
            return new Workload(name, description, spec, metric, target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }
}
