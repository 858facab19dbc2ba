package org.tuneless.dsl

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import org.tuneless.optim.Optimizers

/**
 * Every optimizer of the catalog has its DSL function (the entry's `dslName`, top level in this package), and calling it
 * with no arguments builds that entry at its catalog defaults — so an entry added to the catalog without its DSL
 * function, or under another name, fails here.
 */
class CatalogReachTest : FunSpec({

    val functions = Class.forName("org.tuneless.dsl.OptimizersKt").methods
        .filter { java.lang.reflect.Modifier.isStatic(it.modifiers) && OptimizerSpec::class.java.isAssignableFrom(it.returnType) }

    for (entry in Optimizers.CATALOG.entries()) {
        test("catalog entry '${entry.name()}' is reachable from the DSL as ${entry.dslName()}(…)") {
            // Kotlin default arguments compile to NAME$default(args…, mask, marker); call it with every argument defaulted
            val f = functions.firstOrNull { it.name == entry.dslName() + "\$default" }
                ?: functions.firstOrNull { it.name == entry.dslName() && it.parameterCount == 0 }
                ?: error("no DSL function ${entry.dslName()}(…) for catalog entry '${entry.name()}'")
            val spec = if (f.name.endsWith("\$default")) {
                val args = arrayOfNulls<Any>(f.parameterCount)
                args[f.parameterCount - 2] = -1  // every bit of the mask set: all parameters take their defaults
                f.invoke(null, *args) as OptimizerSpec
            } else f.invoke(null) as OptimizerSpec
            spec.spec.name() shouldBe entry.name()
            spec.spec shouldBe Optimizers.CATALOG.spec(entry.name())
        }
    }
})
