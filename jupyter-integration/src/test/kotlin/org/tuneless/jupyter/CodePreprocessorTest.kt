package org.tuneless.jupyter

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/** Which notebook cells get the live-progress line prepended: only those that call train/sweep. */
class CodePreprocessorTest : FunSpec({

    test("cells that call train { }, train(...), sweep { } or sweep(...) are rewritten") {
        callsTraining("val run = train { steps = 10 }") shouldBe true
        callsTraining("val r = sweep {\n  trial { }\n}") shouldBe true
        callsTraining("train(spec)") shouldBe true
        callsTraining("val runs = listOf(1, 2).map { train { seed = it.toLong() } }") shouldBe true
    }

    test("mentions of train or sweep that are not calls leave the cell as it is") {
        callsTraining("run.evaluations(\"train\")") shouldBe false
        callsTraining("val trainSet = data.train()") shouldBe false
        callsTraining("// train { } later\nprintln(1)") shouldBe false
        callsTraining("/* sweep { } */ println(2)") shouldBe false
        callsTraining("println(\"call train { } to start\")") shouldBe false
        callsTraining("val s = \"\"\"\nsweep {\n\"\"\"") shouldBe false
        callsTraining("split.train().size") shouldBe false
    }

    test("magics and file annotations are never rewritten") {
        callsTraining("%use tuneless\ntrain { }") shouldBe false
        callsTraining("@file:DependsOn(\"x\")\ntrain { }") shouldBe false
    }
})
