package org.tuneless.plot

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe

class LimitsTest : FunSpec({

    test("one spike among many values is beyond the axis; among few values it is not") {
        val many = (1..40).map { 10.0 + it % 5 } + 400.0
        val a = Limits.robust(many, log = false)
        (a.high < 20.0 && 400.0 !in a && 14.0 in a) shouldBe true
        (400.0 in Limits.robust(listOf(10.0, 11.0, 12.0, 400.0), log = false)) shouldBe true
    }

    test("log axes: values spanning decades, fences on log10") {
        Limits.spansDecades(listOf(2.3, 0.1)) shouldBe true
        Limits.spansDecades(listOf(0.3, 0.1)) shouldBe false
        Limits.spansDecades(listOf(0.0, 1.0)) shouldBe false
        val a = Limits.robust(listOf(1e-3, 1e-2, 1e-1), log = true)
        (a.log && a.low < 1e-3 && a.high > 0.1 && a.high < 0.2) shouldBe true
    }

    test("the edge axis is centred on 2, at least [1, 3] wide, and starts at 0 for non-negative values far below 2") {
        val a = Limits.edge(listOf(1.9, 2.0, 2.1))
        a.low shouldBe (2 - 1.1 plusOrMinus 1e-12)
        a.high shouldBe (2 + 1.1 plusOrMinus 1e-12)
        val b = Limits.edge((0..99).map { 0.1 + 3.0 * it / 99 } + 40.0)
        (b.low == 0.0 && b.high < 6 && 40.0 !in b) shouldBe true
    }

    test("reference lines widen the axis only when near it") {
        val a = YAxis(0.0, 40.0, false)
        Limits.widen(a, listOf(2000.0)) shouldBe a
        (Limits.widen(a, listOf(60.0)).high > 60.0) shouldBe true
    }
})
