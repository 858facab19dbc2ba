package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./tuneless script` end to end (runs after packaging, when the Kotlin script host has been copied). */
class ScriptRunnerIT {

    static final Path RUNNER = Path.of("scripts/run-script").toAbsolutePath();

    record Outcome(int code, String output) {}

    static Outcome run(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = RUNNER.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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
}
