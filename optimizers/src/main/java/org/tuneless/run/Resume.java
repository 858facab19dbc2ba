package org.tuneless.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.tuneless.train.Checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Resuming a run: the checkpoint to continue (the newest valid one of a run directory) and the spec to continue it with.
 * A resumed run must be the run that was checkpointed, so a spec that differs from the checkpoint's is refused unless
 * every changed field is named as an override (e.g. {@code steps} to extend a run); {@code output} never counts.
 */
public final class Resume {

    private Resume() {}

    /** The newest valid checkpoint of a run directory, a checkpoints directory or one checkpoint. */
    public static Checkpoint checkpoint(Path dir) { return Checkpoint.newest(dir); }

    /** The spec stored in {@code c}. */
    public static RunSpec savedSpec(Checkpoint c) {
        if (c.spec() == null) throw new IllegalArgumentException(c + " has no run spec (a run built with Trainer.builder()): resume it with Trainer.Builder.resume");
        try {
            return RunSpec.fromJson(c.spec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c + "/state.json spec: " + e.getMessage(), e);
        }
    }

    /**
     * {@code requested} if it equals the checkpoint's spec except in fields named in {@code overrides}; otherwise an
     * error listing each changed field with both values and how to allow it.
     */
    public static RunSpec check(Checkpoint c, RunSpec requested, Collection<String> overrides) {
        Set<String> allowed = new LinkedHashSet<>(overrides);
        for (String o : allowed) {
            if (!RunSpec.FIELDS.contains(o)) throw new IllegalArgumentException("--override " + o + ": not a field of a run spec; valid: " + String.join(", ", RunSpec.FIELDS));
        }
        JsonNode saved = savedSpec(c).toJsonTree();  // normalized: numbers typed as the spec writes them
        JsonNode now = requested.toJsonTree();
        List<String> changed = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(RunSpec.FIELDS);
        for (Iterator<String> it = saved.fieldNames(); it.hasNext(); ) names.add(it.next());
        for (String f : names) {
            if (f.equals("output") || allowed.contains(f)) continue;
            JsonNode a = saved.get(f), b = now.get(f);
            if (a == null ? b != null && !b.isNull() && !(b.isArray() && b.isEmpty()) : !a.equals(b)) {
                changed.add(f + " (checkpoint " + (a == null ? "none" : a.toString()) + ", now " + (b == null ? "none" : b.toString()) + ")");
            }
        }
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException("resuming " + c + " with a changed spec: " + String.join("; ", changed)
                    + ". Allow the change with --override " + String.join(",", changed.stream().map(x -> x.substring(0, x.indexOf(' '))).toList())
                    + " (DSL: resumeFrom(dir, override = listOf(…)))");
        }
        return requested;
    }

    /** The checkpoint's spec with the fields {@code given} taken from {@code requested} (the command line's explicit options). */
    public static RunSpec merge(RunSpec saved, RunSpec requested, Collection<String> given) {
        ObjectNode tree = ((ObjectNode) saved.toJsonTree()).deepCopy();
        JsonNode now = requested.toJsonTree();
        for (String f : given) {
            JsonNode v = now.get(f);
            if (v == null) tree.remove(f);
            else tree.set(f, v);
        }
        return RunSpec.fromJson(tree);
    }
}
