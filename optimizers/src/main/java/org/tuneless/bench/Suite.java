package org.tuneless.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The workloads of one level of a {@link SuiteFile}: what a benchmark runs. */
public record Suite(String source, String level, List<Workload> workloads) {

    public static final List<String> BUILT_IN_LEVELS = List.of("smoke", "standard", "full");

    public Suite {
        workloads = List.copyOf(workloads);
        if (workloads.isEmpty()) throw new IllegalArgumentException(source + ": level " + level + " has no workloads");
    }

    /**
     * {@code smoke}, {@code standard} or {@code full} (the built-in suite), or {@code PATH[#LEVEL]} — a suite file and
     * the level to run (default: {@code standard} when the file has it, else its only level).
     */
    public static Suite named(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("--suite is empty; valid: smoke, standard, full or a suite file PATH[#LEVEL]");
        if (BUILT_IN_LEVELS.contains(text)) return SuiteFile.builtIn().level(text);
        String path = text, level = null;
        int hash = text.lastIndexOf('#');
        if (hash > 0) {
            path = text.substring(0, hash);
            level = text.substring(hash + 1);
        }
        if (!Files.exists(Path.of(path))) {
            throw new IllegalArgumentException("suite '" + text + "' is neither smoke, standard, full nor an existing suite file");
        }
        SuiteFile f = SuiteFile.read(Path.of(path));
        if (level == null) {
            List<String> levels = f.levels();
            if (levels.contains("standard")) level = "standard";
            else if (levels.size() == 1) level = levels.get(0);
            else throw new IllegalArgumentException(path + " has levels " + levels + "; choose one with " + path + "#LEVEL");
        }
        return f.level(level);
    }

    public static Suite smoke() { return named("smoke"); }

    public static Suite standard() { return named("standard"); }

    public static Suite full() { return named("full"); }

    /** The workload named {@code name}; an unknown name is refused with the valid ones. */
    public Workload workload(String name) {
        return workloads.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown workload '" + name + "' in " + source + " (" + level + "); valid: " + String.join(", ", names())));
    }

    public List<String> names() { return workloads.stream().map(Workload::name).toList(); }

    /** Only the named workloads, in the given order. */
    public Suite only(List<String> names) {
        List<Workload> out = new ArrayList<>();
        for (String n : names) out.add(workload(n.trim()));
        return new Suite(source, level, out);
    }

    /** A short name: the level for the built-in suite, else source#level. */
    public String label() { return source.startsWith("built-in") ? level : source + "#" + level; }
}
