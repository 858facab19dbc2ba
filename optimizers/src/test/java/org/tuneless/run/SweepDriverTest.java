package org.tuneless.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepDriverTest {

    /** Tiny real trials: an MLP on 128 teacher-student examples, 6 full-batch SGD steps (milliseconds each). */
    static final String BASE = """
            {"model": {"name": "mlp", "widths": [16, 16, 1]}, "data": {"name": "teacher-student", "samples": 128},
             "loss": {"name": "mse"}, "optimizer": {"name": "sgd"}, "batch": "full", "steps": 6,
             "evaluation": {"every": 0, "splits": ["test"]}}""";

    static SweepFile file(String parameters, String rest) {
        return SweepFile.parse("{\"base\": " + BASE + ", \"parameters\": " + parameters + (rest.isEmpty() ? "" : ", " + rest) + "}", "test-sweep.json");
    }

    @Test void parametersByFieldPathGiveAGridWithStableIds() {
        SweepFile f = file("{\"optimizer.lr\": {\"log\": [1e-4, 1e-1, 4]}, \"optimizer.momentum\": [0, 0.9]}", "\"seeds\": [3, 4]");
        List<SweepFile.Configuration> cs = f.configurations();
        assertEquals(8, cs.size());
        assertEquals(List.of(1e-4, 1e-4, 1e-3, 1e-3, 1e-2, 1e-2, 1e-1, 1e-1), cs.stream().map(c -> c.values().get("optimizer.lr")).toList(),
                "powers of ten exactly, the first parameter varying slowest");
        assertEquals(List.of(0.0, 0.9, 0.0, 0.9, 0.0, 0.9, 0.0, 0.9), cs.stream().map(c -> c.values().get("optimizer.momentum")).toList());
        assertEquals("c5-s4", f.trialId(5, 4));
        RunSpec s = f.spec(cs.get(5).values(), 4);
        assertEquals(1e-2, s.optimizer().get("lr"));
        assertEquals(0.9, s.optimizer().get("momentum"));
        assertEquals(4, s.seed());
        assertEquals(List.of(0.0, 0.5, 1.0), file("{\"optimizer.lr\": {\"lin\": [0, 1, 3]}}", "").configurations().stream().map(c -> c.values().get("optimizer.lr")).toList());
        // random draws: the same file gives the same draws, inside the range
        SweepFile r = file("{\"optimizer.lr\": {\"log\": [1e-4, 1e-1, 4]}}", "\"scheduler\": {\"kind\": \"random\", \"trials\": 5, \"seed\": 9}");
        assertEquals(r.configurations(), file("{\"optimizer.lr\": {\"log\": [1e-4, 1e-1, 4]}}", "\"scheduler\": {\"kind\": \"random\", \"trials\": 5, \"seed\": 9}").configurations());
        assertTrue(r.configurations().stream().allMatch(c -> c.values().get("optimizer.lr") >= 1e-4 && c.values().get("optimizer.lr") <= 1e-1));
        assertEquals(5, r.configurations().stream().map(c -> c.values().get("optimizer.lr")).distinct().count());
    }

    @Test void badSweepFilesAreRefusedNamingTheFileThePathAndTheFix() {
        String unknown = assertThrows(IllegalArgumentException.class, () -> file("{\"optimizer.lrr\": [1]}", "")).getMessage();
        assertTrue(unknown.contains("test-sweep.json") && unknown.contains("'optimizer.lrr'") && unknown.contains("valid paths: ")
                && unknown.contains("optimizer.lr,") && unknown.contains("steps"), unknown);
        String range = assertThrows(IllegalArgumentException.class, () -> file("{\"optimizer.lr\": {\"log\": [0, 1, 3]}}", "")).getMessage();
        assertTrue(range.contains("parameter optimizer.lr") && range.contains("both ends must be > 0"), range);
        String kind = assertThrows(IllegalArgumentException.class, () -> file("{}", "\"scheduler\": {\"kind\": \"bohb\"}")).getMessage();
        assertTrue(kind.contains("scheduler.kind = 'bohb'") && kind.contains("grid, random, asha, hyperband"), kind);
        String asha = assertThrows(IllegalArgumentException.class, () -> file("{}", "\"scheduler\": {\"kind\": \"asha\", \"min_steps\": 60}")).getMessage();
        assertTrue(asha.contains("min_steps = 60 exceeds the base's steps = 6"), asha);
        // a value the run spec refuses names the file, the path, the value and the valid range
        SweepFile f = file("{\"optimizer.lr\": [-1]}", "");
        String bad = assertThrows(IllegalArgumentException.class, () -> f.spec(f.configurations().get(0).values(), 0)).getMessage();
        assertTrue(bad.contains("test-sweep.json") && bad.contains("optimizer.lr = -1") && bad.contains("[0, ∞)"), bad);
        String integer = assertThrows(IllegalArgumentException.class, () -> file("{\"steps\": [2.5]}", "").spec(Map.of("steps", 2.5), 0)).getMessage();
        assertTrue(integer.contains("steps = 2.5 is not an integer"), integer);
    }

    /**
     * Real trials on local threads: lr −1 cannot be built (FAILED), lr 1e6 diverges (DIVERGED), lr 0.01 trains; none
     * stops the sweep. The directory then resumes without running anything; a partial last line of trials.jsonl (a
     * killed driver) reruns exactly that trial; another sweep file is refused naming the field.
     */
    @Test void failedAndDivergedTrialsAreRecordedAndTheDirectoryResumes(@TempDir Path tmp) throws Exception {
        SweepFile f = file("{\"optimizer.lr\": [-1, 1e6, 0.01]}", "\"seeds\": [0, 1]");
        Path dir = tmp.resolve("sweep");
        Counting exec = new Counting(new LocalExecutor(2));
        SweepTable t = new SweepDriver(f, dir, exec, 2).run();
        assertEquals(4, exec.ran.size(), "the two FAILED configurations are not sent to the executor");
        assertEquals(List.of("c0-s0", "c0-s1", "c1-s0", "c1-s1", "c2-s0", "c2-s1"), column(t, "trial"));
        assertEquals(List.of("FAILED", "FAILED", "DIVERGED", "DIVERGED", "COMPLETED", "COMPLETED"), column(t, "status"));
        String msg = (String) t.rows().get(0).get(t.column("message"));
        assertTrue(msg.contains("test-sweep.json") && msg.contains("optimizer.lr = -1"), msg);
        assertEquals(null, t.rows().get(0).get(t.column("final_loss")), "not measured: an empty cell");
        assertEquals(6L, t.rows().get(4).get(t.column("steps")));
        assertEquals(TrialResult.localHost(), t.rows().get(4).get(t.column("host")));
        assertEquals(t.toCsv(), Files.readString(dir.resolve("results.csv")));
        assertEquals(6, Files.readAllLines(dir.resolve("trials.jsonl")).size());
        assertEquals(f.toJson(), Files.readString(dir.resolve("sweep.json")));

        // resume: nothing runs, the same table
        Counting again = new Counting(new LocalExecutor(2));
        SweepDriver d2 = new SweepDriver(f, dir, again, 2);
        assertEquals(t, d2.run());
        assertEquals(List.of(), again.ran);
        assertEquals(6, d2.resumed());

        // a driver killed while writing its last line: that trial (only) runs again
        List<String> lines = Files.readAllLines(dir.resolve("trials.jsonl"));
        String last = lines.get(lines.size() - 1);
        String lastId = TrialResult.fromJson(last).id();
        Files.writeString(dir.resolve("trials.jsonl"), String.join("\n", lines.subList(0, lines.size() - 1)) + "\n" + last.substring(0, last.length() / 2));
        Counting third = new Counting(new LocalExecutor(2));
        SweepTable t3 = new SweepDriver(f, dir, third, 2).run();
        assertEquals(List.of(lastId), third.ran);
        assertEquals(column(t, "final_loss"), column(t3, "final_loss"), "a rerun trial gives the same losses");
        assertEquals(6, Files.readAllLines(dir.resolve("trials.jsonl")).size());

        // another sweep in the same directory is refused, naming the field
        SweepFile other = file("{\"optimizer.lr\": [-1, 1e6, 0.02]}", "\"seeds\": [0, 1]");
        String refused = assertThrows(IllegalArgumentException.class, () -> new SweepDriver(other, dir, exec, 1).run()).getMessage();
        assertTrue(refused.contains("'parameters.optimizer.lr'") && refused.contains("0.01") && refused.contains("0.02"), refused);
        // threads do not change results: a file differing only there continues
        new SweepDriver(file("{\"optimizer.lr\": [-1, 1e6, 0.01]}", "\"seeds\": [0, 1], \"threads\": 7"), dir, exec, 1).prepare();
    }

    /** A trial that throws while it is built by the executor (a batch larger than the data) is FAILED; the others run. */
    @Test void aTrialThatThrowsInTheExecutorIsFailedAndTheSweepGoesOn(@TempDir Path tmp) throws Exception {
        SweepFile f = SweepFile.parse("{\"base\": " + BASE.replace("\"batch\": \"full\"", "\"batch\": 16") + ", \"parameters\": {\"batch\": [100000, 32]}}", "batch.json");
        SweepTable t = new SweepDriver(f, tmp.resolve("b"), new LocalExecutor(1), 1).run();
        assertEquals(List.of("FAILED", "COMPLETED"), column(t, "status"));
        String msg = (String) t.rows().get(0).get(t.column("message"));
        assertTrue(msg.contains("batch = 100000 exceeds the"), msg);
        assertEquals(List.of(100000.0, 32.0), column(t, "batch"));
    }

    /** Hyperband from a sweep file: the hand-worked example of EarlyStoppingTest, with rungs and brackets in the table. */
    @Test void hyperbandSweepFileRecordsBracketsRungsAndStoppedTrials(@TempDir Path tmp) throws Exception {
        SweepFile f = SweepFile.parse("{\"base\": " + BASE.replace("\"steps\": 6", "\"steps\": 9") + ", \"parameters\": {\"optimizer.lr\": [5, 3, 8, 1, 9, 2, 7, 4, 6]},"
                + " \"scheduler\": {\"kind\": \"hyperband\", \"min_steps\": 1, \"eta\": 3}}", "hb.json");
        SweepTable t = new SweepDriver(f, tmp.resolve("hb"), new LrIsLoss(), 2).run();
        assertEquals(22, t.rows().size());
        List<String> c3 = new ArrayList<>();
        for (List<Object> r : t.rows()) if (((String) r.get(0)).contains("c3-")) c3.add(r.get(0) + " " + r.get(t.column("status")));
        assertEquals(List.of("b2-c3-s0-r0 PROMOTED", "b2-c3-s0-r1 PROMOTED", "b2-c3-s0-r2 COMPLETED", "b1-c3-s0-r0 PROMOTED", "b1-c3-s0-r1 COMPLETED"), c3);
        List<Object> c5 = t.rows().stream().filter(r -> r.get(0).equals("b2-c5-s0-r1")).findFirst().orElseThrow();
        assertEquals("STOPPED", c5.get(t.column("status")));
        assertEquals(2, c5.get(t.column("bracket")));
        assertEquals(1, c5.get(t.column("rung")));
        assertEquals(3L, c5.get(t.column("steps")));
        assertEquals(6 + 2 + 4, t.rows().stream().filter(r -> r.get(t.column("status")).equals("STOPPED")).count(),
                "stopped: 6 + 2 trials of bracket 2 (rungs 0, 1), 4 of bracket 1 (rung 0)");
    }

    static List<Object> column(SweepTable t, String name) {
        int c = t.column(name);
        return t.rows().stream().map(r -> r.get(c)).toList();
    }

    /** Records which trials reached the executor. */
    static final class Counting implements TrialExecutor {
        final TrialExecutor inner;
        final List<String> ran = new ArrayList<>();

        Counting(TrialExecutor inner) { this.inner = inner; }

        @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
            synchronized (ran) {
                trials.forEach(t -> ran.add(t.id()));
            }
            return inner.start(trials, onResult);
        }
    }

    /** Trials that do not train: the loss is the learning rate (flat in steps). */
    static final class LrIsLoss implements TrialExecutor {
        @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
            List<TrialResult> out = new ArrayList<>();
            for (Trial t : trials) {
                double loss = (Double) t.spec().optimizer().get("lr");
                TrialResult r = new TrialResult(t.id(), t.spec().toJson(), "COMPLETED", "", t.spec().steps(), 0, loss, loss, List.of(), List.of(), List.of());
                out.add(r);
                onResult.accept(r);
            }
            return new Execution() {
                @Override public List<TrialResult> await() { return out; }
                @Override public void cancel() {}
            };
        }
    }
}
