package org.tuneless.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.tuneless.optim.schedule.Schedule
import org.tuneless.run.RunSpec
import org.tuneless.train.TrainingStatus

class ScheduleDslTest : FunSpec({

    test("schedules compose with + and print as the DSL that builds them") {
        val s = warmup(100) + cosine(final = 0.1)
        s.toString() shouldBe "warmup(100) + cosine(final = 0.1)"
        s.build().multiplier(0, 1100) shouldBe (0.01 plusOrMinus 1e-15)
        s.build().multiplier(600, 1100) shouldBe (0.55 plusOrMinus 1e-15)
        wsd(warmup = 10, decay = 0.2).build().multiplier(90, 100) shouldBe (0.5 plusOrMinus 1e-15)
        stepDecay(every = 10, factor = 0.5).build().multiplier(25, 100) shouldBe 0.25
        linear().build().multiplier(5, 10) shouldBe (0.5 plusOrMinus 1e-15)
        constant().build().multiplier(5, 10) shouldBe 1.0
        cosine(warmup = 5).toString() shouldBe "cosine(warmup = 5)"
        shouldThrow<IllegalArgumentException> { cosine(final = 1.5) }.message shouldContain "final = 1.5 is outside [0, 1)"
        shouldThrow<IllegalArgumentException> { cosine() + linear() }.message shouldContain "at most one phase"
        shouldThrow<IllegalArgumentException> { warmup(0) }.message shouldContain "steps = 0 must be a positive integer"
    }

    test("schedule = … on train { } sets the run spec, the lr column follows it, and the spec round-trips") {
        val b = TrainingBuilder().apply {
            model = mlp(784, 8, 10); data = fashionMnist(subset = 64); batchSize = FullBatch
            optimizer = sgd(lr = 0.1); steps = 6; schedule = warmup(2) + cosine()
        }
        val spec = b.spec()
        spec.toDsl() shouldContain "schedule = warmup(2) + cosine()"
        RunSpec.fromJson(spec.toJson()) shouldBe spec
        val run = train {
            model = mlp(784, 8, 10); data = fashionMnist(subset = 64); batchSize = FullBatch
            optimizer = sgd(lr = 0.1); steps = 6; schedule = warmup(2) + cosine()
        }
        run.status() shouldBe TrainingStatus.COMPLETED
        val expected = Schedule.warmup(2).then(Schedule.cosine(0.0))
        for (t in 0 until 6) run.history()[t].learningRate() shouldBe (0.1 * expected.multiplier(t.toLong(), 6) plusOrMinus 1e-9)
        run.spec?.toDsl()!! shouldContain "schedule = warmup(2) + cosine()"
    }

    test("averaged, lookahead and sam wrap optimizers and train") {
        averaged(base = adam(), mode = "ema", beta = 0.99).build().name() shouldBe "averaged(adam(lr=0.001), ema(0.99))"
        averaged(base = prodigy(), mode = "swa", start = 10).toString() shouldBe "averaged(base = prodigy(), mode = \"swa\", start = 10)"
        lookahead(base = adam(), k = 5, alpha = 0.5).build().name() shouldBe "lookahead(adam(lr=0.001))"
        lookahead(base = mechanic(base = adam()), k = 3).toString() shouldBe "lookahead(base = mechanic(base = adam()), k = 3)"
        sam(base = sgd(lr = 0.05), rho = 0.05, adaptive = false).build().name() shouldBe "sam(sgd(lr=0.05), rho=0.05)"
        sam(base = momentum(), adaptive = true).toString() shouldBe "sam(base = momentum(), adaptive = true)"
        shouldThrow<IllegalArgumentException> { lookahead(alpha = 0.0) }.message shouldContain "alpha = 0.0 must be in (0, 1]"
        shouldThrow<IllegalArgumentException> { sam(rho = -1.0) }.message shouldContain "rho = -1.0 must be a positive"
        shouldThrow<IllegalArgumentException> { averaged(mode = "median") }.message shouldContain "valid: ema, swa, poly"
        for (o in listOf(averaged(base = dog()), lookahead(base = sgd(lr = 0.05), k = 2), sam(base = adam()))) {
            val run = train { model = mlp(784, 8, 10); data = fashionMnist(subset = 64); optimizer = o; steps = 4; schedule = null }
            run.status() shouldBe TrainingStatus.COMPLETED
            run.history().size shouldBe 4
        }
        val scheduled = train { model = mlp(784, 8, 10); data = fashionMnist(subset = 64); optimizer = lookahead(base = adam()); steps = 4; schedule = cosine() }
        scheduled.status() shouldBe TrainingStatus.COMPLETED
    }
})
