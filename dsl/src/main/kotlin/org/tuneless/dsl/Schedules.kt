package org.tuneless.dsl

import org.tuneless.catalog.Component
import org.tuneless.optim.schedule.Schedule
import org.tuneless.optim.schedule.Schedules

/**
 * A learning-rate schedule: entries of the schedule catalog ([Schedules.CATALOG]) one after the other. Join phases with
 * `+` (`warmup(100) + cosine(final = 0.1)`) and set it on a run: `train { optimizer = adam(); schedule = warmup(100) + cosine() }`.
 * It multiplies the learning rate of base optimizers, d·lr of Prodigy and D-Adaptation, and that of wrappers around
 * them; parameters left `null` take the catalog defaults.
 */
class ScheduleSpec internal constructor(val specs: List<Component>) {
    init {
        Schedules.build(specs)  // at most one phase takes the rest of the steps: fails where it is written
    }

    /** This schedule followed by [next]. */
    operator fun plus(next: ScheduleSpec): ScheduleSpec = ScheduleSpec(specs + next.specs)

    /** The multiplier of the learning rate as a function of (step, total steps). */
    fun build(): Schedule = Schedules.build(specs)

    /** The DSL code of this schedule, e.g. `warmup(100) + cosine()`. */
    override fun toString(): String = Schedules.toDsl(specs)

    override fun equals(other: Any?) = other is ScheduleSpec && other.specs == specs
    override fun hashCode() = specs.hashCode()
}

private fun schedule(name: String, vararg args: Pair<String, Any?>): ScheduleSpec =
    ScheduleSpec(listOf(Schedules.CATALOG.spec(name, args.filter { it.second != null }.toMap())))

/** The same multiplier [value] (default 1) at every step, for [steps] steps (default: the rest of the run). */
fun constant(value: Double? = null, steps: Int? = null): ScheduleSpec = schedule("constant", "value" to value, "steps" to steps)

/** Linear warmup (p + 1)/[steps] over the first [steps] steps (catalog default 100). */
fun warmup(steps: Int? = null): ScheduleSpec = schedule("warmup", "steps" to steps)

/** Cosine decay from 1 to [final] (default 0), after an optional [warmup], over [steps] steps (default: the rest). */
fun cosine(final: Double? = null, warmup: Int? = null, steps: Int? = null): ScheduleSpec =
    schedule("cosine", "warmup" to warmup, "final" to final, "steps" to steps)

/** Linear decay from 1 to [final] (default 0), after an optional [warmup], over [steps] steps (default: the rest). */
fun linear(final: Double? = null, warmup: Int? = null, steps: Int? = null): ScheduleSpec =
    schedule("linear", "warmup" to warmup, "final" to final, "steps" to steps)

/** Warmup-stable-decay (arXiv 2404.06395): [warmup] steps, then 1, then linear to [final] over the last [decay] (default 0.2) of the steps. */
fun wsd(warmup: Int? = null, decay: Double? = null, final: Double? = null): ScheduleSpec =
    schedule("wsd", "warmup" to warmup, "decay" to decay, "final" to final)

/** Multiplies the lr by [factor] (default 0.1) every [every] (default 100) steps (torch StepLR; catalog `step`). */
fun stepDecay(every: Int? = null, factor: Double? = null, warmup: Int? = null, steps: Int? = null): ScheduleSpec =
    schedule("step", "warmup" to warmup, "every" to every, "factor" to factor, "steps" to steps)
