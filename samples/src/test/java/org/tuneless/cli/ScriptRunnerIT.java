package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./tuneless script` end to end (runs after packaging, when the Kotlin script host has been copied). */
class ScriptRunnerIT {

    static final Path RUNNER = Path.of("scripts/run-script").toAbsolutePath();

    record Outcome(int code, String output) {}

    static Outcome run(String... args) throws IOException, InterruptedException { return run(Map.of(), args); }

    static Outcome run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = RUNNER.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().remove("TUNELESS_MASTER");
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Outcome(p.waitFor(), out);
    }

    @Test void theReadmeDslExampleRunsAsAScript() throws Exception {
        Outcome o = run(Path.of("scripts/hello.main.kts").toAbsolutePath().toString(), "12");
        assertEquals(0, o.code(), o.output());
        assertTrue(o.output().contains("ecco(eta=10): COMPLETED after 12 steps"), o.output());
    }

    @Test void aScriptErrorPrintsTheCompilerMessageWithFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.main.kts");
        Files.writeString(bad, "import org.tuneless.dsl.*\nval x: Int = \"nope\"\n");
        Outcome o = run(bad.toString());
        assertTrue(o.code() != 0);
        assertTrue(o.output().contains("bad.main.kts:2:14: error: initializer type mismatch"), o.output());
    }

    @Test void aSweepScriptWritesItsCsv(@TempDir Path dir) throws Exception {
        Outcome o = run(Path.of("scripts/ecco-eta-sweep.main.kts").toAbsolutePath().toString(), "3", dir.toString());
        assertEquals(0, o.code(), o.output());
        assertTrue(o.output().contains("eta: best"), o.output());
        assertEquals(9, Files.readAllLines(dir.resolve("ecco.csv")).size());
        assertEquals(9, Files.readAllLines(dir.resolve("adam.csv")).size());
        assertTrue(Files.readString(dir.resolve("ecco-sensitivity.svg")).contains("<svg"));
    }

    /**
     * `./tuneless sweep FILE.main.kts --master local[2]` (the launcher sets TUNELESS_MASTER and runs run-script): the
     * script's sweep { } runs its Hyperband trials as Spark tasks, with the numbers of local threads.
     */
    @Test void aSweepScriptWithAMasterRunsOnSparkWithTheLocalNumbers(@TempDir Path dir) throws Exception {
        String script = Path.of("scripts/hyperband-sweep.main.kts").toAbsolutePath().toString();
        Outcome threads = run(script, dir.resolve("threads").toString());
        assertEquals(0, threads.code(), threads.output());
        assertTrue(threads.output().contains("trials ran on 2 local threads"), threads.output());
        Outcome spark = run(Map.of("TUNELESS_MASTER", "local[2]"), script, dir.resolve("spark").toString());
        assertEquals(0, spark.code(), spark.output());
        assertTrue(spark.output().contains("trials ran on SparkExecutor(local[2])"), spark.output());
        List<String> a = withoutSeconds(dir.resolve("threads/hyperband.csv")), b = withoutSeconds(dir.resolve("spark/hyperband.csv"));
        assertEquals(8, a.size(), "7 configurations and the header");
        assertEquals(a, b, "the same trials, statuses, rungs and losses on Spark as on threads");
    }

    /** A CSV's lines without its wall-clock column. */
    static List<String> withoutSeconds(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int col = List.of(lines.get(0).split(",")).indexOf("seconds");
        return lines.stream().map(l -> {
            List<String> cells = new java.util.ArrayList<>(List.of(l.split(",", -1)));
            cells.remove(col);
            return String.join(",", cells);
        }).toList();
    }
}
